package org.rlhf4j.sft;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.rlhf4j.core.tokenizer.Tokenizer;
import org.rlhf4j.datasets.ChatMessage;
import org.rlhf4j.datasets.DataConfig;
import org.rlhf4j.datasets.TrainingSequence;

/**
 * A minimal reader of SFT and pretraining files for the trainer, until the datasets module's
 * loader replaces it: JSONL with {@code {"messages": [...]}} or {@code {"prompt", "response",
 * "system"?}} (SFT), {@code {"text": ...}} (pretraining), or a {@code .txt} file with one document
 * per non-blank line (pretraining). Templates are always ChatML; no packing; an eval split comes
 * from {@code data.eval} or a seeded {@code data.eval_fraction}. A malformed line fails with
 * {@code FILE:LINE: what is wrong}, or is counted and skipped under {@code on_bad_record: skip}.
 */
public final class JsonlTrainingData implements TrainingData {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<TrainingSequence> train;
    private final List<TrainingSequence> eval;
    private final List<Path> files;
    private final int skipped;

    private JsonlTrainingData(List<TrainingSequence> train, List<TrainingSequence> eval, List<Path> files, int skipped) {
        this.train = train;
        this.eval = eval;
        this.files = files;
        this.skipped = skipped;
    }

    /** A loader for {@code data}; {@code pretrain} reads text with every token a target. */
    public static TrainingData.Loader loader(DataConfig data, boolean pretrain, boolean completionOnly, long seed) {
        return (tokenizer, maxSeqLen) -> load(data, pretrain, completionOnly, seed, tokenizer, maxSeqLen);
    }

    static JsonlTrainingData load(DataConfig data, boolean pretrain, boolean completionOnly, long seed,
            Tokenizer tokenizer, int maxSeqLen) throws IOException {
        int[] skipped = {0};
        Path trainFile = Path.of(data.train());
        List<Path> files = new ArrayList<>(List.of(trainFile));
        List<TrainingSequence> train = read(trainFile, data, pretrain, completionOnly, tokenizer, maxSeqLen, skipped);
        List<TrainingSequence> eval = new ArrayList<>();
        if (data.eval() != null) {
            Path evalFile = Path.of(data.eval());
            files.add(evalFile);
            eval = read(evalFile, data, pretrain, completionOnly, tokenizer, maxSeqLen, skipped);
        } else if (data.evalFraction() > 0) {
            // Seeded split: a row goes to eval when its draw falls under the fraction.
            SplittableRandom random = new SplittableRandom(seed ^ 0x5eed_e7a1L);
            List<TrainingSequence> kept = new ArrayList<>();
            for (TrainingSequence s : train) {
                (random.nextDouble() < data.evalFraction() ? eval : kept).add(s);
            }
            train = kept;
        }
        if (train.isEmpty()) {
            throw new IOException(trainFile + ": no training examples");
        }
        return new JsonlTrainingData(List.copyOf(train), List.copyOf(eval), List.copyOf(files), skipped[0]);
    }

    private static List<TrainingSequence> read(Path file, DataConfig data, boolean pretrain, boolean completionOnly,
            Tokenizer tokenizer, int maxSeqLen, int[] skipped) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        List<TrainingSequence> out = new ArrayList<>();
        boolean plainText = file.getFileName().toString().endsWith(".txt");
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            try {
                out.add(plainText ? ChatMlSequences.text(line, tokenizer, maxSeqLen)
                        : parse(JSON.readTree(line), pretrain, completionOnly, tokenizer, maxSeqLen));
            } catch (IOException | IllegalArgumentException e) {
                if (!data.skipBadRecords()) {
                    throw new IOException(file + ":" + (i + 1) + ": " + e.getMessage().lines().findFirst().orElse(""));
                }
                skipped[0]++;
            }
        }
        return out;
    }

    private static TrainingSequence parse(JsonNode record, boolean pretrain, boolean completionOnly, Tokenizer tokenizer,
            int maxSeqLen) {
        if (record == null || !record.isObject()) {
            throw new IllegalArgumentException("expected a JSON object");
        }
        if (pretrain) {
            return ChatMlSequences.text(text(record, "text"), tokenizer, maxSeqLen);
        }
        List<ChatMessage> messages = new ArrayList<>();
        if (record.has("messages")) {
            for (JsonNode m : record.get("messages")) {
                String role = text(m, "role");
                if (!List.of("system", "user", "assistant").contains(role)) {
                    throw new IllegalArgumentException("role must be system, user or assistant, got '" + role + "'");
                }
                messages.add(new ChatMessage(role, text(m, "content")));
            }
        } else if (record.has("prompt")) {
            if (record.has("system")) {
                messages.add(ChatMessage.system(text(record, "system")));
            }
            messages.add(ChatMessage.user(text(record, "prompt")));
            messages.add(ChatMessage.assistant(text(record, "response")));
        } else {
            throw new IllegalArgumentException("expected \"messages\" or \"prompt\" and \"response\"");
        }
        if (messages.stream().noneMatch(m -> m.role().equals("assistant"))) {
            throw new IllegalArgumentException("no assistant turn to learn from");
        }
        return ChatMlSequences.conversation(messages, tokenizer, completionOnly, maxSeqLen);
    }

    private static String text(JsonNode node, String key) {
        JsonNode value = node == null ? null : node.get(key);
        if (value == null || !value.isTextual()) {
            throw new IllegalArgumentException("\"" + key + "\" must be a string");
        }
        return value.asText();
    }

    @Override
    public List<TrainingSequence> train() {
        return train;
    }

    @Override
    public List<TrainingSequence> eval() {
        return eval;
    }

    @Override
    public List<Path> files() {
        return files;
    }

    /** Lines skipped under {@code on_bad_record: skip}. */
    public int skipped() {
        return skipped;
    }
}
