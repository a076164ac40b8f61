package org.rlhf4j.cli;

import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.commons.math3.stat.descriptive.DescriptiveStatistics;
import org.rlhf4j.core.config.UserException;
import org.rlhf4j.core.io.AtomicFiles;
import org.rlhf4j.core.pretrained.PretrainedModel;
import org.rlhf4j.core.scoring.TokenBudget;
import org.rlhf4j.datasets.ChatTemplates;
import org.rlhf4j.datasets.PreferenceEncoder;
import org.rlhf4j.datasets.PreferencePair;
import org.rlhf4j.datasets.TokenizedPair;
import org.rlhf4j.datasets.PreferenceRecords;
import org.rlhf4j.datasets.RewardConditions;
import org.rlhf4j.datasets.TrainingSequence;
import org.rlhf4j.datasets.io.BadRecordException;
import org.rlhf4j.datasets.io.StrictUtf8Lines;
import org.rlhf4j.datasets.io.TextLine;
import org.rlhf4j.datasets.jinja.TemplateException;
import org.rlhf4j.reward.PreferenceMetrics;
import org.rlhf4j.reward.RewardScorer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code rlhf4j score}: reward-model scores of responses, and accuracy on preference pairs. */
@Command(name = "score", mixinStandardHelpOptions = true,
        description = {"Scores responses with a reward model (a *ForSequenceClassification directory).",
            "Input lines: {\"prompt\" | \"messages\", \"response\", \"condition\"?} get \"score\";",
            "preference lines {\"prompt\" | \"messages\", \"chosen\", \"rejected\", \"preference\"?, \"condition\"?}",
            "get \"chosen_score\" and \"rejected_score\", and the accuracy (overall, by degree, by condition)",
            "is printed with the score distribution. Sequences are rendered as in training: the condition's",
            "system turn, the prompt, the response as the assistant turn, scored at its <|im_end|>."},
        footer = {"", "Examples:",
            "  rlhf4j score --model runs/rm-helpful/final --input configs/demo/data/rm-helpful-eval.jsonl",
            "  rlhf4j score --model runs/rm-conditional/final --input answers.jsonl --condition safe --out scores.jsonl"})
final class ScoreCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Reward model directory.")
    Path model;

    @Option(names = "--input", required = true, paramLabel = "FILE", description = "JSONL input.")
    Path input;

    @Option(names = "--out", paramLabel = "FILE", description = "JSONL output (default: standard output).")
    Path out;

    @Option(names = "--condition", paramLabel = "NAME",
            description = "Judge every line under this condition (a name from the conditions table, or a system"
                    + " prompt with spaces), replacing the lines' own.")
    String condition;

    @Option(names = "--conditions", paramLabel = "FILE",
            description = "JSON or YAML table of condition name -> system prompt, added to (and overriding) the"
                    + " model directory's " + RewardConditions.FILE_NAME + ".")
    Path conditionsFile;

    @Mixin
    ChatTemplateOption template = new ChatTemplateOption();

    @Option(names = "--with-ids", description = "Also write the scored token ids (ids, or chosen_ids/rejected_ids).")
    boolean withIds;

    @Option(names = "--batch-size", defaultValue = "64",
            description = "At most N sequences per forward pass (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--max-batch-tokens", defaultValue = "4096", paramLabel = "N",
            description = "Padded tokens per forward pass: sequences are sorted by length and packed up to N"
                    + " (rows x longest); a longer sequence runs alone. Memory grows with it (default: ${DEFAULT-VALUE}).")
    int maxBatchTokens;

    @Mixin
    DeviceOption device = new DeviceOption();

    /** One input line: its JSON, and the pair or the single response it holds. */
    private record Item(ObjectNode json, PreferencePair pair, PreferenceRecords.Scored single) {}

    @Override
    public Integer call() throws Exception {
        OutputFile.requireWritable("--out", out);
        TokenBudget budget = new TokenBudget(maxBatchTokens, batchSize); // checks both flags first
        try (PretrainedModel rm = PretrainedModel.load(model, device.resolve(), DataType.FLOAT32)) {
            if (!rm.config().architecture().hasScalarHead()) {
                throw new UserException(model + ": " + rm.config().architecture().hfName()
                        + " is a causal LM; score needs a reward model (a *ForSequenceClassification directory,"
                        + " e.g. the final/ of rlhf4j rm)");
            }
            RewardConditions conditions = conditions();
            if (condition != null) {
                try {
                    conditions.systemPrompt(condition); // an unknown name fails here, before any scoring
                } catch (IllegalArgumentException e) {
                    throw new UserException("--condition: " + e.getMessage(), e);
                }
            }
            PreferenceEncoder encoder = new PreferenceEncoder(rm.tokenizer(),
                    template.resolve(rm.tokenizer()), conditions);
            List<Item> items = read();
            List<TrainingSequence> rows = new ArrayList<>();
            for (Item item : items) {
                try {
                    if (item.pair() != null) {
                        TokenizedPair p = encoder.encode(item.pair()); // as rm trains: its tools too
                        rows.add(p.chosen());
                        rows.add(p.rejected());
                    } else {
                        PreferenceRecords.Scored s = item.single();
                        rows.add(encoder.encode(s.prompt(), s.condition(), s.response()));
                    }
                } catch (IllegalArgumentException | TemplateException e) {
                    throw new BadRecordException((item.pair() != null ? item.pair().source() : item.single().source())
                            + ": " + e.getMessage());
                }
            }
            float[] scores = RewardScorer.score(rm, rows, budget);
            write(items, rows, scores);
        }
        return 0;
    }

    private RewardConditions conditions() throws java.io.IOException {
        Map<String, String> table = new LinkedHashMap<>(RewardConditions.read(model).table());
        if (conditionsFile != null) {
            table.putAll(RewardConditions.read(conditionsFile).table());
        }
        return RewardConditions.of(table);
    }

    private List<Item> read() throws java.io.IOException {
        List<Item> items = new ArrayList<>();
        StrictUtf8Lines.forEach(input, (TextLine line) -> {
            if (line.decoded() && line.text().isBlank()) {
                return;
            }
            if (!line.decoded()) {
                throw new BadRecordException(line.where() + ": " + line.decodeError());
            }
            ObjectNode json = object(line);
            if (condition != null) {
                json.put("condition", condition); // --condition replaces the line's own
            }
            String text = json.toString();
            if (json.has("chosen") || json.has("rejected")) {
                items.add(new Item(json, PreferenceRecords.pair(text, line.where()), null));
            } else {
                items.add(new Item(json, null, PreferenceRecords.response(text, line.where())));
            }
        });
        if (items.isEmpty()) {
            throw new UserException(input + ": no lines to score");
        }
        return items;
    }

    private static ObjectNode object(TextLine line) {
        JsonNode node;
        try {
            node = JSON.readTree(line.text());
        } catch (java.io.IOException e) {
            throw new BadRecordException(line.where() + ": not valid JSON; expected one JSON object per line");
        }
        if (node == null || !node.isObject()) {
            throw new BadRecordException(line.where() + ": expected one JSON object per line");
        }
        return (ObjectNode) node;
    }

    private void write(List<Item> items, List<TrainingSequence> rows, float[] scores) throws java.io.IOException {
        StringBuilder text = new StringBuilder();
        PreferenceMetrics metrics = new PreferenceMetrics();
        DescriptiveStatistics distribution = new DescriptiveStatistics();
        int at = 0;
        for (Item item : items) {
            ObjectNode o = item.json();
            if (item.pair() != null) {
                o.put("chosen_score", scores[at]);
                o.put("rejected_score", scores[at + 1]);
                if (withIds) {
                    putIds(o, "chosen_ids", rows.get(at));
                    putIds(o, "rejected_ids", rows.get(at + 1));
                }
                metrics.add(item.pair(), scores[at], scores[at + 1], 0);
                distribution.addValue(scores[at]);
                distribution.addValue(scores[at + 1]);
                at += 2;
            } else {
                o.put("score", scores[at]);
                if (withIds) {
                    putIds(o, "ids", rows.get(at));
                }
                distribution.addValue(scores[at]);
                at++;
            }
            text.append(JSON.writeValueAsString(o)).append('\n');
        }
        PrintStream report;
        if (out == null) {
            PrintStream stdout = new PrintStream(System.out, true, StandardCharsets.UTF_8);
            stdout.print(text);
            stdout.flush();
            report = System.err; // stdout holds the scores
        } else {
            Files.createDirectories(out.toAbsolutePath().getParent());
            AtomicFiles.writeString(out, text.toString());
            report = System.out;
            report.printf("wrote %d lines to %s%n", items.size(), out);
        }
        report.print(summary(metrics, distribution));
    }

    private static void putIds(ObjectNode o, String key, TrainingSequence row) {
        var ids = o.putArray(key);
        for (int id : row.ids()) {
            ids.add(id);
        }
    }

    /** Accuracy (when there are pairs) and the distribution of every score. */
    static String summary(PreferenceMetrics metrics, DescriptiveStatistics d) {
        StringBuilder s = new StringBuilder();
        if (metrics.pairs() > 0) {
            s.append(String.format(Locale.ROOT, "pairs: %d, accuracy %.3f, mean margin (chosen - rejected) %.4f%n",
                    metrics.pairs(), metrics.accuracy(), metrics.meanMargin()));
            Map<String, Integer> degreeCounts = metrics.countByDegree();
            s.append("  by degree:");
            metrics.accuracyByDegree().forEach((k, v) -> s.append(String.format(Locale.ROOT, " %s %.3f (%d)", k, v,
                    degreeCounts.get(k))));
            s.append('\n');
            Map<String, Integer> conditionCounts = metrics.countByCondition();
            s.append("  by condition:");
            metrics.accuracyByCondition().forEach((k, v) -> s.append(String.format(Locale.ROOT, " %s %.3f (%d)", k, v,
                    conditionCounts.get(k))));
            s.append('\n');
        }
        s.append(String.format(Locale.ROOT, "scores: n %d, mean %.4f, std %.4f, min %.4f, q10 %.4f, q25 %.4f,"
                + " median %.4f, q75 %.4f, q90 %.4f, max %.4f%n", d.getN(), d.getMean(), d.getStandardDeviation(),
                d.getMin(), d.getPercentile(10), d.getPercentile(25), d.getPercentile(50), d.getPercentile(75),
                d.getPercentile(90), d.getMax()));
        return s.toString();
    }
}
