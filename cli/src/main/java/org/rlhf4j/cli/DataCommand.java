package org.rlhf4j.cli;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
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
import org.rlhf4j.datasets.RecordRenderer;
import org.rlhf4j.datasets.SftDataset;
import org.rlhf4j.datasets.TrainingSequence;
import org.rlhf4j.datasets.io.StrictUtf8Lines;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/** {@code rlhf4j data}: tools for training data; {@code inspect} shows tokens and their loss mask. */
@Command(name = "data", mixinStandardHelpOptions = true,
        subcommands = {DataCommand.Inspect.class, DataCommand.Render.class, DataDemoCommand.class,
            DataDemoFilesCommand.class},
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
            InspectedConfig c = ConfigLoader.bind(ConfigLoader.readTree(config, overrides), InspectedConfig.class,
                    config.toString());
            if (c.model() == null) {
                throw new ConfigException(config + ": key 'model' is required (a model directory, for its tokenizer)");
            }
            if (c.data() == null) {
                throw new ConfigException(config + ": section 'data' is required");
            }
            int maxSeqLen = c.train() != null && c.train().maxSeqLen() != null ? c.train().maxSeqLen()
                    : DEFAULT_MAX_SEQ_LEN;
            boolean pretrain = isPlainText(Path.of(c.data().train()));
            PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
            boolean color = System.console() != null;
            try (Tokenizer tokenizer = Tokenizers.load(Path.of(c.model()))) {
                ChatTemplate template = ChatTemplates.select(c.data(), tokenizer);
                SftDataset data = SftDataset.load(c.data(), tokenizer, template, maxSeqLen, pretrain,
                        c.seed() == null ? 0 : c.seed());
                List<TrainingSequence> rows = data.train();
                for (int r = 0; r < Math.min(n, rows.size()); r++) {
                    printRow(out, tokenizer, rows.get(r), r, color);
                }
                out.print(data.report().summary());
            }
            return 0;
        }

        private void printRow(PrintStream out, Tokenizer tokenizer, TrainingSequence row, int index, boolean color) {
            int[] starts = row.segmentStarts();
            out.printf("--- row %d: %d tokens, %d in the loss%s ---%n", index, row.length(), row.lossTokens(),
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
            if (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".txt")) {
                return true;
            }
            try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    if (!line.isBlank()) {
                        JsonNode first = new ObjectMapper().readTree(line);
                        return first.has("text") && !first.has("messages") && !first.has("prompt");
                    }
                }
            } catch (IOException malformed) {
                return false; // the loader reports what is wrong with FILE:LINE
            }
            return false;
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
