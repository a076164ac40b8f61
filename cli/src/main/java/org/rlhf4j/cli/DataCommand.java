package org.rlhf4j.cli;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.rlhf4j.core.config.ConfigException;
import org.rlhf4j.core.config.ConfigLoader;
import org.rlhf4j.core.io.AtomicFiles;
import org.rlhf4j.core.tokenizer.Tokenizer;
import org.rlhf4j.core.tokenizer.Tokenizers;
import org.rlhf4j.datasets.ChatTemplate;
import org.rlhf4j.datasets.ChatTemplates;
import org.rlhf4j.datasets.DataConfig;
import org.rlhf4j.datasets.ChatMessage;
import org.rlhf4j.datasets.LengthHistogram;
import org.rlhf4j.datasets.PreferenceDataset;
import org.rlhf4j.datasets.PreferenceInspection;
import org.rlhf4j.datasets.RecordRenderer;
import org.rlhf4j.datasets.RewardConditions;
import org.rlhf4j.datasets.TokenizedPair;
import org.rlhf4j.datasets.format.DataFiles;
import org.rlhf4j.datasets.format.FormatDetector;
import org.rlhf4j.datasets.format.RecordReader;
import org.rlhf4j.datasets.io.BadRecords;
import org.rlhf4j.ppo.PromptSet;
import org.rlhf4j.datasets.SftDataset;
import org.rlhf4j.datasets.TrainingSequence;
import org.rlhf4j.datasets.io.StrictUtf8Lines;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/** {@code rlhf4j data}: tools for training data; {@code inspect} shows tokens and their loss mask. */
@Command(name = "data", mixinStandardHelpOptions = true,
        subcommands = {DataCommand.Inspect.class, DataCommand.Render.class, DataConvertCommand.class,
            DataDemoCommand.class, DataDemoFilesCommand.class},
        description = "Inspect or render training data as the trainer will see it; write the demo task's data sets.")
final class DataCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /**
     * {@code rlhf4j data inspect}: loads the {@code data:} section of a stage config with the model's
     * tokenizer and template and prints rows with their loss spans, then the statistics of the set.
     */
    @Command(name = "inspect", mixinStandardHelpOptions = true,
            description = {"Print training rows token by token with their loss mask, and the token, truncation",
                "and packing statistics of the whole set. Reads model:, seed:, data: and train.max_seq_len",
                "of a stage config (other sections are ignored). Plain-text data (.txt, or JSONL of",
                "{\"text\": ...}) is shown as pretraining sees it. Loss tokens are green on a terminal and",
                "inside [ ] otherwise."},
            footer = {"", "Example:", "  rlhf4j data inspect --config configs/demo/sft.yaml --n 3 --tokens"})
    static final class Inspect implements Callable<Integer> {

        private static final String GREEN = "\u001b[32m";
        private static final String RESET = "\u001b[0m";

        @Option(names = "--config", required = true, paramLabel = "FILE", description = "Stage config (YAML).")
        Path config;

        @Option(names = "--n", defaultValue = "3", paramLabel = "N",
                description = "Rows to print (default: ${DEFAULT-VALUE}).")
        int n;

        @Option(names = "--tokens", description = "Also list every token: position, id, text, loss.")
        boolean tokens;

        @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a config key, e.g. data.packing=true.")
        List<String> overrides = List.of();

        /** What the data is read as. */
        enum Kind { auto, sft, text, preference, prompt }

        @Option(names = "--kind", defaultValue = "auto", paramLabel = "KIND",
                description = "sft, text, preference or prompt (default: ${DEFAULT-VALUE}: preference for dpo/rm"
                        + " configs, prompt for ppo/grpo/rs, else from the first record).")
        Kind kind;

        /** The parts of a stage config this command reads; other sections are ignored. */
        @JsonIgnoreProperties(ignoreUnknown = true)
        record InspectedConfig(String model, Long seed, DataConfig data, TrainSection train) {}

        /** {@code train.max_seq_len}; the rest of {@code train:} belongs to the trainer. */
        @JsonIgnoreProperties(ignoreUnknown = true)
        record TrainSection(Integer maxSeqLen) {}

        /** Used when the config sets no {@code train.max_seq_len}, as in the DESIGN.md example. */
        static final int DEFAULT_MAX_SEQ_LEN = 512;

        @Override
        public Integer call() throws IOException {
            JsonNode tree = ConfigLoader.readTree(config, overrides);
            InspectedConfig c = ConfigLoader.bind(tree, InspectedConfig.class, config.toString());
            if (c.model() == null) {
                throw new ConfigException(config + ": key 'model' is required (a model directory, for its tokenizer)");
            }
            if (c.data() == null) {
                throw new ConfigException(config + ": section 'data' is required");
            }
            int maxSeqLen = c.train() != null && c.train().maxSeqLen() != null ? c.train().maxSeqLen()
                    : DEFAULT_MAX_SEQ_LEN;
            PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
            boolean color = System.console() != null;
            long seed = c.seed() == null ? 0 : c.seed();
            Kind what = kind == Kind.auto ? kindOf(tree, c.data()) : kind;
            try (Tokenizer tokenizer = Tokenizers.load(Path.of(c.model()))) {
                ChatTemplate template = ChatTemplates.select(c.data(), tokenizer);
                switch (what) {
                    case preference -> inspectPairs(out, c.data(), tokenizer, template, maxSeqLen, seed, color);
                    case prompt -> inspectPrompts(out, c.data(), tokenizer, template, tree, maxSeqLen);
                    default -> inspectRows(out, c.data(), tokenizer, template, maxSeqLen,
                            what == Kind.text || isPlainText(c.data().trainFiles().get(0)), seed, color);
                }
            }
            return 0;
        }

        private void inspectRows(PrintStream out, DataConfig data, Tokenizer tokenizer, ChatTemplate template,
                int maxSeqLen, boolean pretrain, long seed, boolean color) throws IOException {
            SftDataset loaded = SftDataset.load(data, tokenizer, template, maxSeqLen, pretrain, seed);
            List<TrainingSequence> rows = loaded.train();
            for (int r = 0; r < Math.min(n, rows.size()); r++) {
                printRow(out, tokenizer, rows.get(r), r, color);
            }
            out.print(loaded.report().summary());
        }

        /** Preference pairs: every pair is kept (no max_seq_len drop) so that the share it would cut is shown. */
        private void inspectPairs(PrintStream out, DataConfig data, Tokenizer tokenizer, ChatTemplate template,
                int maxSeqLen, long seed, boolean color) throws IOException {
            PreferenceDataset loaded = PreferenceDataset.load(data, tokenizer, template, RewardConditions.ignored(),
                    Integer.MAX_VALUE, seed);
            List<TokenizedPair> pairs = loaded.train();
            for (int r = 0; r < Math.min(n, pairs.size()); r++) {
                out.printf("=== pair %d (%s) ===%n", r, pairs.get(r).pair().source());
                printRow(out, tokenizer, pairs.get(r).chosen(), r, color, "chosen");
                printRow(out, tokenizer, pairs.get(r).rejected(), r, color, "rejected");
            }
            out.print(loaded.report().summary());
            out.print(PreferenceInspection.of(pairs, maxSeqLen).summary());
        }

        /** PPO prompts: rendered with the generation prompt, as the policy sees them. */
        private void inspectPrompts(PrintStream out, DataConfig data, Tokenizer tokenizer, ChatTemplate template,
                JsonNode tree, int maxSeqLen) throws IOException {
            JsonNode configured = tree.path("ppo").path("generation").path("max_prompt_len");
            int maxPromptLen = configured.isInt() ? configured.asInt() : maxSeqLen;
            PromptSet prompts = PromptSet.load(data, tokenizer, template, Integer.MAX_VALUE);
            int[] lengths = prompts.ids().stream().mapToInt(ids -> ids.length).toArray();
            for (int r = 0; r < Math.min(n, prompts.size()); r++) {
                out.printf("--- prompt %d (%s): %d tokens ---%n%s%n", r, prompts.records().get(r).source(), lengths[r],
                        tokenizer.decode(prompts.ids().get(r)));
            }
            Set<List<ChatMessage>> seen = new HashSet<>();
            int duplicates = (int) prompts.records().stream().filter(p -> !seen.add(p.messages())).count();
            int cut = (int) Arrays.stream(lengths).filter(l -> l > maxPromptLen).count();
            out.printf("prompts: %d, duplicates %d, skipped (bad records) %d%n", prompts.size(), duplicates,
                    prompts.skipped());
            out.printf(Locale.ROOT, "longer than max_prompt_len %d (cut at the start): %d (%.0f%%)%n", maxPromptLen, cut,
                    100.0 * cut / Math.max(1, prompts.size()));
            out.print("prompt length (tokens, template applied):\n" + LengthHistogram.of(lengths).render());
            out.print(BadRecords.describe(prompts.skipped(), prompts.skipReasons()));
        }

        /** A stage config's data kind: dpo/rm sections → preference; ppo/grpo/rs → prompt; else the first record. */
        private static Kind kindOf(JsonNode tree, DataConfig data) throws IOException {
            if (tree.has("dpo") || tree.has("rm")) {
                return Kind.preference;
            }
            if (tree.has("ppo") || tree.has("grpo") || tree.has("rs")) {
                return Kind.prompt;
            }
            Kind[] kind = {Kind.sft};
            Path first = data.trainFiles().get(0);
            if (!DataFiles.isPlainText(first)) {
                try {
                    RecordReader.forEach(first, data.maxRecordBytes(), source -> {
                        if (source.valid() && FormatDetector.isPreference(data.formats().mapped(source.record()))) {
                            kind[0] = Kind.preference;
                        }
                        throw new FirstRecordRead();
                    });
                } catch (FirstRecordRead done) {
                    // only the first record decides
                }
            }
            return kind[0];
        }

        /** Stops reading after the first record. */
        private static final class FirstRecordRead extends RuntimeException {
            private static final long serialVersionUID = 1L;

            FirstRecordRead() {
                super(null, null, false, false);
            }
        }

        private void printRow(PrintStream out, Tokenizer tokenizer, TrainingSequence row, int index, boolean color) {
            printRow(out, tokenizer, row, index, color, "row");
        }

        private void printRow(PrintStream out, Tokenizer tokenizer, TrainingSequence row, int index, boolean color,
                String label) {
            int[] starts = row.segmentStarts();
            out.printf("--- %s %d: %d tokens, %d in the loss%s ---%n", label, index, row.length(), row.lossTokens(),
                    starts.length > 1 ? ", " + starts.length + " packed examples" : "");
            for (int s = 0; s < starts.length; s++) {
                int end = s + 1 < starts.length ? starts[s + 1] : row.length();
                if (starts.length > 1) {
                    out.printf("[example %d at token %d]%n", s + 1, starts[s]);
                }
                printSpans(out, tokenizer, row, starts[s], end, color);
                out.println();
            }
            if (tokens) {
                for (int t = 0; t < row.length(); t++) {
                    String text = tokenizer.decode(new int[] {row.ids()[t]});
                    out.printf("  %5d %7d  %-16s %s%n", t, row.ids()[t], quote(text), row.lossMask()[t] ? "loss" : "-");
                }
            }
        }

        /** Prints tokens {@code [from, to)} as text, each run of loss tokens marked. */
        private static void printSpans(PrintStream out, Tokenizer tokenizer, TrainingSequence row, int from, int to,
                boolean color) {
            int runStart = from;
            for (int t = from + 1; t <= to; t++) {
                if (t == to || row.lossMask()[t] != row.lossMask()[runStart]) {
                    String text = tokenizer.decode(Arrays.copyOfRange(row.ids(), runStart, t));
                    if (row.lossMask()[runStart]) {
                        out.print(color ? GREEN + text + RESET : "[" + text + "]");
                    } else {
                        out.print(text);
                    }
                    runStart = t;
                }
            }
        }

        private static String quote(String text) {
            return "'" + text.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r") + "'";
        }

        /** Plain text when the train file is .txt or its first record has "text" but no conversation. */
        private static boolean isPlainText(Path file) throws IOException {
            if (DataFiles.isPlainText(file)) {
                return true;
            }
            boolean[] text = {false};
            try {
                RecordReader.forEach(file, StrictUtf8Lines.DEFAULT_MAX_LINE_BYTES, source -> {
                    JsonNode first = source.record();
                    text[0] = first != null && first.has("text") && !first.has("messages") && !first.has("prompt");
                    throw new FirstRecordRead();
                });
            } catch (FirstRecordRead done) {
                // only the first record decides
            } catch (RuntimeException malformed) {
                return false; // the loader reports what is wrong with FILE:LINE
            }
            return text[0];
        }
    }

    /**
     * {@code rlhf4j data render}: each JSONL record's conversation through the model's chat template and
     * tokenizer, as {@code {"text", "ids", "loss_mask"}} lines, to debug templates and masks.
     */
    @Command(name = "render", mixinStandardHelpOptions = true,
            description = {"Render each {\"messages\": [...], \"chat_template_kwargs\"?: {...}} line with the model's",
                "chat template and tokenizer; write {\"text\", \"ids\", \"loss_mask\"} per line (loss_mask 1 = trained)."},
            footer = {"", "Example:", "  rlhf4j data render --model runs/sft/final --input chats.jsonl --out rendered.jsonl"})
    static final class Render implements Callable<Integer> {

        @Option(names = "--model", required = true, paramLabel = "DIR", description = "Model directory (its tokenizer).")
        Path model;

        @Option(names = "--input", required = true, paramLabel = "FILE", description = "JSONL of conversations.")
        Path input;

        @Option(names = "--out", required = true, paramLabel = "FILE", description = "JSONL output.")
        Path out;

        @picocli.CommandLine.Mixin
        ChatTemplateOption template = new ChatTemplateOption();

        @Override
        public Integer call() throws IOException {
            StringBuilder text = new StringBuilder();
            int[] count = {0};
            try (Tokenizer tokenizer = Tokenizers.load(model)) {
                RecordRenderer renderer = new RecordRenderer(template.resolve(tokenizer), tokenizer);
                StrictUtf8Lines.forEach(input, line -> {
                    if (line.decoded() && line.text().isBlank()) {
                        return;
                    }
                    text.append(renderer.render(line).toString()).append('\n');
                    count[0]++;
                });
            }
            AtomicFiles.writeString(out, text.toString());
            System.out.printf("rendered %d records to %s%n", count[0], out);
            return 0;
        }
    }
}
