package org.rlhf4j.datasets;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.rlhf4j.core.config.UserException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.rlhf4j.datasets.format.AlpacaFormat;
import org.rlhf4j.datasets.format.ColumnMapping;
import org.rlhf4j.datasets.format.ConversationFormat;
import org.rlhf4j.datasets.format.InvalidRecord;
import org.rlhf4j.datasets.format.JsonFields;
import org.rlhf4j.datasets.format.MessageReader;
import org.rlhf4j.datasets.format.RecordReader;
import org.rlhf4j.datasets.io.BadRecords;
import org.rlhf4j.datasets.io.StrictUtf8Lines;

/**
 * The prompts of a PPO run, read from JSONL of
 * {@code {"prompt": "..." | "messages": [...], "condition": "..."?, "tags": [...]?, "answer": "..."?}}
 * (DESIGN.md). A {@code prompt} string becomes one user turn, after a {@code system} turn when the
 * record has {@code "system"}; {@code messages} must end with a user turn. An {@code answer} given
 * as a number is kept as its text. Other keys are kept in {@link PromptRecord#extra}.
 *
 * @param prompts the valid records, in file order
 * @param records lines read (blank lines aside)
 * @param skipped bad lines skipped under {@code on_bad_record: skip}
 * @param skipReasons the first few skip messages
 */
public record PromptDataset(List<PromptRecord> prompts, int records, int skipped, List<String> skipReasons) {

    private static final Set<String> KNOWN = Set.of("prompt", "messages", "conversations", "instruction", "input", "history",
            "system", "condition", "tags", "answer");
    private static final List<String> PROMPT_KEYS = List.of("prompt", "messages", "conversations", "instruction");
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    public PromptDataset {
        prompts = List.copyOf(prompts);
        skipReasons = List.copyOf(skipReasons);
    }

    /**
     * Reads {@code file}.
     *
     * @param skipBadRecords {@code on_bad_record: skip}; otherwise the first bad line throws
     *     {@link org.rlhf4j.datasets.io.BadRecordException} with {@code FILE:LINE: problem}
     * @throws UserException if no prompt is left
     */
    public static PromptDataset load(Path file, boolean skipBadRecords) throws IOException {
        return load(List.of(file), skipBadRecords, StrictUtf8Lines.DEFAULT_MAX_LINE_BYTES, new ColumnMapping(Map.of()),
                Map.of());
    }

    /** Reads the training files of {@code data} with its bad-record policy and column and role mapping. */
    public static PromptDataset load(DataConfig data) throws IOException {
        return load(data.trainFiles(), data.skipBadRecords(), data.maxRecordBytes(), new ColumnMapping(data.columns()),
                data.roles());
    }

    private static PromptDataset load(List<Path> files, boolean skipBadRecords, long maxRecordBytes,
            ColumnMapping columns, Map<String, String> roles) throws IOException {
        BadRecords bad = new BadRecords(skipBadRecords);
        List<PromptRecord> prompts = new ArrayList<>();
        Readers readers = new Readers(MessageReader.openAi(roles), MessageReader.shareGpt(roles));
        int[] records = {0};
        for (Path file : files) {
            RecordReader.forEach(file, maxRecordBytes, source -> {
                records[0]++;
                if (!source.valid()) {
                    bad.report(source.where(), source.problem());
                    return;
                }
                try {
                    prompts.add(parse(columns.apply(source.record()), source.where(), readers));
                } catch (IllegalArgumentException e) {
                    bad.report(source.where(), e.getMessage());
                }
            });
        }
        if (prompts.isEmpty()) {
            throw new UserException(files.get(0) + (files.size() > 1 ? " (and " + (files.size() - 1)
                    + " more files)" : "") + ": no prompt left (" + records[0] + " records, " + bad.count() + " skipped)");
        }
        return new PromptDataset(prompts, records[0], bad.count(), bad.reasons());
    }

    /** The message readers of the two message shapes (OpenAI {@code role}/{@code content}, ShareGPT {@code from}/{@code value}). */
    private record Readers(MessageReader openAi, MessageReader shareGpt) {}

    /** Parses one JSONL line; the message of the exception says what is wrong. */
    public static PromptRecord parse(String line, String where) {
        try {
            return parse(JsonFields.object(line), where,
                    new Readers(MessageReader.openAi(Map.of()), MessageReader.shareGpt(Map.of())));
        } catch (InvalidRecord e) {
            throw new IllegalArgumentException(e.getMessage());
        }
    }

    private static PromptRecord parse(ObjectNode record, String where, Readers readers) {
        List<ChatMessage> messages;
        try {
            messages = conversation(record, readers);
        } catch (InvalidRecord e) {
            throw new IllegalArgumentException(e.getMessage());
        }
        String condition = record.hasNonNull("condition") ? text(record, "condition") : null;
        if (condition != null && condition.isBlank()) {
            throw new IllegalArgumentException("\"condition\" is empty; leave it out or name a condition");
        }
        List<String> tags = new ArrayList<>();
        JsonNode tagNode = record.get("tags");
        if (tagNode != null && !tagNode.isNull()) {
            if (!tagNode.isArray()) {
                throw new IllegalArgumentException("\"tags\" must be an array of strings, e.g. [\"safety\"]");
            }
            for (JsonNode tag : tagNode) {
                if (!tag.isTextual()) {
                    throw new IllegalArgumentException("\"tags\" must be an array of strings, got " + tag);
                }
                tags.add(tag.asText());
            }
        }
        String answer = null;
        JsonNode answerNode = record.get("answer");
        if (answerNode != null && !answerNode.isNull()) {
            if (!answerNode.isTextual() && !answerNode.isNumber()) {
                throw new IllegalArgumentException("\"answer\" must be a string or a number");
            }
            answer = answerNode.asText();
        }
        Map<String, Object> extra = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = record.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!KNOWN.contains(e.getKey()) && !e.getValue().isNull()) {
                extra.put(e.getKey(), JSON.convertValue(e.getValue(), Object.class));
            }
        }
        return new PromptRecord(messages, condition, tags, answer, extra, where);
    }

    /**
     * The conversation to continue: {@code prompt} (a string after an optional {@code system}, or a
     * message list), {@code messages} or ShareGPT {@code conversations} (a final assistant turn, as in
     * SFT data, is left out), or Alpaca {@code instruction} (+ {@code input}, {@code system}, {@code history}).
     */
    private static List<ChatMessage> conversation(ObjectNode record, Readers readers) throws InvalidRecord {
        List<String> given = PROMPT_KEYS.stream().filter(record::has).toList();
        if (given.size() > 1) {
            throw new InvalidRecord("has both \"" + given.get(0) + "\" and \"" + given.get(1) + "\"; give one of them");
        }
        if (given.isEmpty()) {
            throw new InvalidRecord("has neither \"prompt\" nor \"messages\"; expected {\"prompt\": \"...\"}"
                    + " or {\"messages\": [...]} ending with a user turn (or \"conversations\", \"instruction\")");
        }
        String key = given.get(0);
        if (!key.equals("prompt") && !key.equals("instruction") && record.has("system")) {
            throw new InvalidRecord("has \"system\" next to \"" + key + "\"; put the system turn in \"" + key + "\"");
        }
        List<ChatMessage> out = new ArrayList<>(switch (key) {
            case "prompt" -> ConversationFormat.prompt(record, readers.openAi());
            case "messages" -> readers.openAi().read(record.get(key), key);
            case "conversations" -> readers.shareGpt().read(record.get(key), key);
            default -> AlpacaFormat.prompt(record);
        });
        if (out.size() > 1 && out.get(out.size() - 1).role().equals("assistant") && !key.equals("prompt")) {
            out.remove(out.size() - 1); // an SFT record: its answer is what the policy writes
        }
        String last = out.get(out.size() - 1).role();
        if (!last.equals("user")) {
            throw new InvalidRecord("the last message is " + last + "; a prompt ends with a user turn for the policy to"
                    + " answer");
        }
        return out;
    }

    private static String text(JsonNode record, String key) {
        JsonNode value = record.get(key);
        if (!value.isTextual()) {
            throw new IllegalArgumentException("\"" + key + "\" must be a string");
        }
        return value.asText();
    }
}
