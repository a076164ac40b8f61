package org.rlhf4j.datasets;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.rlhf4j.datasets.io.BadRecordException;
import org.rlhf4j.core.config.UserException;
import org.rlhf4j.datasets.format.InvalidRecord;
import org.rlhf4j.datasets.format.JsonFields;
import org.rlhf4j.datasets.format.MessageReader;
import org.rlhf4j.datasets.format.RecordReader;
import org.rlhf4j.datasets.format.SourceRecord;
import org.rlhf4j.datasets.io.BadRecords;

/**
 * Unpaired preference data, TRL's "unpaired preference" format that KTO trains on: one
 * completion per line with a binary label, read and validated with {@code FILE:LINE} messages.
 *
 * <pre>{@code
 * {"prompt": "..." | [{"role", "content"}, ...] | "messages": [...],   // ends with a user turn
 *  "system": "..."?,                                                    // with a string prompt only
 *  "completion": "..." | [{"role": "assistant", "content": "..."}],
 *  "label": true | false}                                               // desirable or not
 * }</pre>
 *
 * <p>A paired preference line ({@code "chosen"}, {@code "rejected"}) is read as two examples,
 * the chosen response desirable and the rejected one undesirable, as TRL's KTO trainer unpairs a
 * paired data set; so one preference file serves DPO and KTO alike. Keys other than the ones read
 * here are ignored.
 */
public final class UnpairedPreferenceRecords {

    private static final String FORMAT = "expected {\"prompt\": \"...\" | \"messages\": [...], \"completion\": \"...\","
            + " \"label\": true | false} (or a preference pair {\"prompt\", \"chosen\", \"rejected\"})";

    private UnpairedPreferenceRecords() {}

    /**
     * One labelled completion.
     *
     * @param prompt the conversation before the completion, ending with a user message
     * @param completion the assistant's answer
     * @param desirable the label: true for a good completion, false for a bad one
     * @param source where it was read, {@code FILE:LINE}
     */
    public record Example(List<ChatMessage> prompt, String completion, boolean desirable, String source) {
        public Example {
            prompt = List.copyOf(prompt);
            Objects.requireNonNull(completion, "completion");
        }
    }

    /**
     * The training and evaluation examples of the {@code data:} section.
     *
     * @param train training examples, in file order
     * @param eval evaluation examples ({@code data.eval}, or a seeded {@code data.eval_fraction} of
     *     the training lines, whole lines so a pair's two halves stay together), possibly empty
     * @param files the files read
     * @param skipped bad records skipped ({@code on_bad_record: skip})
     * @param reasons the first few skip messages
     */
    public record Split(List<Example> train, List<Example> eval, List<Path> files, int skipped, List<String> reasons) {
        public Split {
            train = List.copyOf(train);
            eval = List.copyOf(eval);
            files = List.copyOf(files);
            reasons = List.copyOf(reasons);
        }

        /** One line for the log: counts of each split and label, and what was skipped. */
        public String summary() {
            return String.format("unpaired data: %d train (%d desirable), %d eval (%d desirable), %d skipped%n%s",
                    train.size(), desirable(train), eval.size(), desirable(eval), skipped,
                    BadRecords.describe(skipped, reasons)).stripTrailing();
        }

        private static long desirable(List<Example> examples) {
            return examples.stream().filter(Example::desirable).count();
        }
    }

    /**
     * Reads {@code data.train} and {@code data.eval} (or splits off {@code data.eval_fraction}).
     *
     * @throws BadRecordException at the first bad record in fail mode
     * @throws UserException if no training example is left
     */
    public static Split load(DataConfig data, long seed) throws IOException {
        BadRecords bad = new BadRecords(data.skipBadRecords());
        List<List<Example>> trainLines = readLines(data.trainFiles(), bad, data.maxRecordBytes());
        List<List<Example>> evalLines = new ArrayList<>();
        if (data.eval() != null) {
            evalLines = readLines(data.evalFiles(), bad, data.maxRecordBytes());
        } else if (data.evalFraction() > 0) {
            trainLines = EvalSplit.splitOff(trainLines, data.evalFraction(), seed, evalLines, data.train(), "records");
        }
        List<Example> train = trainLines.stream().flatMap(List::stream).toList();
        if (train.isEmpty()) {
            throw new UserException(data.train() + ": no training example (" + bad.count() + " skipped); " + FORMAT);
        }
        return new Split(train, evalLines.stream().flatMap(List::stream).toList(), data.files(), bad.count(),
                bad.reasons());
    }

    /** Every example of {@code file}; bad records go to {@code bad} (which throws in fail mode). */
    public static List<Example> read(Path file, BadRecords bad, long maxRecordBytes) throws IOException {
        return readLines(List.of(file), bad, maxRecordBytes).stream().flatMap(List::stream).toList();
    }

    /** The examples of each record of {@code files} (JSONL or a JSON array, either gzipped), in order. */
    private static List<List<Example>> readLines(List<Path> files, BadRecords bad, long maxRecordBytes)
            throws IOException {
        List<List<Example>> out = new ArrayList<>();
        for (Path file : files) {
            RecordReader.forEach(file, maxRecordBytes, record -> readRecord(record, bad, out));
        }
        return out;
    }

    private static void readRecord(SourceRecord source, BadRecords bad, List<List<Example>> out) {
        if (!source.valid()) {
            bad.report(source.where(), source.problem());
            return;
        }
        try {
            out.add(examples(source.record(), source.where()));
        } catch (InvalidRecord e) {
            bad.report(source.where(), e.getMessage());
        }
    }

    /**
     * The examples of one line: one for an unpaired record, two (chosen, then rejected) for a pair.
     *
     * @throws BadRecordException {@code source: what is wrong; what is expected}
     */
    public static List<Example> parse(String line, String source) {
        try {
            return parseRecord(line, source);
        } catch (InvalidRecord e) {
            throw new BadRecordException(source + ": " + e.getMessage());
        }
    }

    private static List<Example> parseRecord(String line, String source) throws InvalidRecord {
        return examples(JsonFields.object(line), source);
    }

    private static List<Example> examples(JsonNode record, String source) throws InvalidRecord {
        List<ChatMessage> prompt = prompt(record);
        boolean paired = record.has("chosen") || record.has("rejected");
        if (paired) {
            if (record.has("completion") || record.has("label")) {
                throw new InvalidRecord("has both \"chosen\"/\"rejected\" and \"completion\"/\"label\"; " + FORMAT
                        + ", one or the other");
            }
            String chosen = completion(record, "chosen");
            String rejected = completion(record, "rejected");
            if (chosen.equals(rejected)) {
                throw new InvalidRecord("\"chosen\" and \"rejected\" are the same text; a pair needs two different"
                        + " responses");
            }
            return List.of(new Example(prompt, chosen, true, source), new Example(prompt, rejected, false, source));
        }
        String completion = completion(record, "completion");
        JsonNode label = record.get("label");
        if (label == null) {
            throw new InvalidRecord("has no \"label\"; " + FORMAT);
        }
        if (!label.isBoolean()) {
            throw new InvalidRecord("\"label\" is " + (label.isTextual() ? "the string \"" + label.asText() + "\""
                    : JsonFields.article(label)) + "; expected true (a desirable completion) or false (undesirable)");
        }
        return List.of(new Example(prompt, completion, label.asBoolean(), source));
    }

    /** The conversation before the completion: {@code prompt} (string or messages, + {@code system}) or {@code messages}. */
    private static List<ChatMessage> prompt(JsonNode record) throws InvalidRecord {
        boolean hasMessages = record.has("messages");
        boolean hasPrompt = record.has("prompt");
        if (hasMessages && hasPrompt) {
            throw new InvalidRecord("has both \"messages\" and \"prompt\"; " + FORMAT + ", not both");
        }
        if (!hasMessages && !hasPrompt) {
            throw new InvalidRecord("has neither \"prompt\" nor \"messages\"; " + FORMAT);
        }
        String key = hasPrompt ? "prompt" : "messages";
        JsonNode value = record.get(key);
        List<ChatMessage> out = new ArrayList<>();
        if (hasPrompt && !value.isArray()) {
            JsonNode system = record.get("system");
            if (system != null && !system.isNull()) {
                out.add(ChatMessage.system(JsonFields.string(record, "system", "")));
            }
            out.add(ChatMessage.user(JsonFields.string(record, "prompt", "")));
            return out;
        }
        if (value.isArray() && value.isEmpty()) {
            throw new InvalidRecord("\"" + key + "\" is empty; expected the conversation before the completion,"
                    + " ending with a user message");
        }
        if (record.has("system") && !record.get("system").isNull()) {
            throw new InvalidRecord("has \"system\" next to a message list; put the system message first in \"" + key
                    + "\"");
        }
        out.addAll(MessageReader.openAi(java.util.Map.of()).read(value, key));
        ChatMessage last = out.get(out.size() - 1);
        if (!last.role().equals("user")) {
            throw new InvalidRecord("\"" + key + "\" ends with a " + last.role() + " message; expected the conversation"
                    + " before the completion, ending with the user message it answers");
        }
        return out;
    }

    /** A completion: a string, or TRL's conversational form, one assistant message. */
    private static String completion(JsonNode record, String key) throws InvalidRecord {
        JsonNode value = record.get(key);
        if (value == null) {
            throw new InvalidRecord("has no \"" + key + "\"; " + FORMAT);
        }
        if (value.isArray()) {
            if (value.size() != 1 || !value.get(0).isObject()
                    || !"assistant".equals(value.get(0).path("role").asText(null))) {
                throw new InvalidRecord("\"" + key + "\" is a list of " + value.size() + " item(s); expected a string"
                        + " or one {\"role\": \"assistant\", \"content\": \"...\"} message");
            }
            return JsonFields.string(value.get(0), "content", key + "[0]");
        }
        return JsonFields.string(record, key, "");
    }
}
