package org.rlhf4j.datasets;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.rlhf4j.core.config.UserException;
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

    private static final Set<String> KNOWN = Set.of("prompt", "messages", "system", "condition", "tags", "answer");
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
     * @throws IllegalArgumentException if no prompt is left
     */
    public static PromptDataset load(Path file, boolean skipBadRecords) throws IOException {
        BadRecords bad = new BadRecords(skipBadRecords);
        List<PromptRecord> prompts = new ArrayList<>();
        int[] records = {0};
        StrictUtf8Lines.forEach(file, line -> {
            if (line.decoded() && line.text().isBlank()) {
                return;
            }
            records[0]++;
            if (!line.decoded()) {
                bad.report(line.where(), line.decodeError());
                return;
            }
            try {
                prompts.add(parse(line.text(), line.where()));
            } catch (IllegalArgumentException e) {
                bad.report(line.where(), e.getMessage());
            }
        });
        if (prompts.isEmpty()) {
            throw new UserException(file + ": no prompt left (" + records[0] + " records, " + bad.count()
                    + " skipped)");
        }
        return new PromptDataset(prompts, records[0], bad.count(), bad.reasons());
    }

    /** Parses one JSONL line; the message of the exception says what is wrong. */
    public static PromptRecord parse(String line, String where) {
        JsonNode record;
        try {
            record = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not valid JSON (" + e.getOriginalMessage() + "); expected one JSON"
                    + " object per line");
        }
        if (record == null || !record.isObject()) {
            throw new IllegalArgumentException("expected one JSON object per line");
        }
        List<ChatMessage> messages;
        if (record.has("messages") && record.has("prompt")) {
            throw new IllegalArgumentException("has both \"messages\" and \"prompt\"; give one of them");
        } else if (record.has("messages")) {
            if (record.has("system")) {
                throw new IllegalArgumentException("has \"system\" next to \"messages\"; put the system turn in"
                        + " \"messages\"");
            }
            messages = messages(record.get("messages"));
        } else if (record.has("prompt")) {
            messages = new ArrayList<>();
            if (record.hasNonNull("system")) {
                messages.add(ChatMessage.system(text(record, "system")));
            }
            messages.add(ChatMessage.user(text(record, "prompt")));
        } else {
            throw new IllegalArgumentException("has neither \"prompt\" nor \"messages\"; expected {\"prompt\": \"...\"}"
                    + " or {\"messages\": [...]} ending with a user turn");
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

    private static List<ChatMessage> messages(JsonNode array) {
        if (!array.isArray() || array.isEmpty()) {
            throw new IllegalArgumentException("\"messages\" must be a non-empty array of {\"role\": ..., \"content\":"
                    + " ...} ending with a user turn");
        }
        List<ChatMessage> out = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            JsonNode m = array.get(i);
            String at = "messages[" + i + "]";
            if (!m.isObject() || !m.hasNonNull("role") || !m.get("role").isTextual()
                    || !SftRecordParser.ROLES.contains(m.get("role").asText())) {
                throw new IllegalArgumentException(at + " needs \"role\": \"system\", \"user\" or \"assistant\"");
            }
            if (!m.hasNonNull("content") || !m.get("content").isTextual()) {
                throw new IllegalArgumentException(at + ".content must be a string");
            }
            out.add(new ChatMessage(m.get("role").asText(), m.get("content").asText()));
        }
        if (!out.get(out.size() - 1).role().equals("user")) {
            throw new IllegalArgumentException("the last message is " + out.get(out.size() - 1).role().toLowerCase(
                    Locale.ROOT) + "; a prompt ends with a user turn for the policy to answer");
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
