package org.rlhf4j.datasets;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Parses and validates one JSONL line of SFT or plain-text data. Each problem is described as
 * "what is wrong; what is expected"; the caller prefixes {@code FILE:LINE}. Keys other than the
 * ones read here (an {@code id}, a {@code source}) are ignored.
 */
final class SftRecordParser {

    static final Set<String> ROLES = Set.of("system", "user", "assistant", "tool");
    private static final String FORMATS = "expected {\"messages\": [{\"role\": \"user\", \"content\": \"...\"},"
            + " {\"role\": \"assistant\", \"content\": \"...\"}]} or {\"prompt\": \"...\", \"response\": \"...\"}";
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private SftRecordParser() {}

    /** A line that is not a valid record; the message says what is wrong and what is expected. */
    static final class InvalidRecord extends Exception {
        private static final long serialVersionUID = 1L;

        InvalidRecord(String message) {
            super(message);
        }
    }

    /** Parses a line as a JSON object. */
    static JsonNode object(String line) throws InvalidRecord {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new InvalidRecord("not valid JSON (" + e.getOriginalMessage() + " at column "
                    + e.getLocation().getColumnNr() + "); expected one JSON object per line");
        }
        if (node == null || !node.isObject()) {
            throw new InvalidRecord("is " + article(node) + "; expected one JSON object per line");
        }
        return node;
    }

    /** Reads a {@code messages} or {@code prompt}/{@code response} record as a conversation. */
    static List<ChatMessage> conversation(JsonNode record) throws InvalidRecord {
        boolean hasMessages = record.has("messages");
        boolean hasPrompt = record.has("prompt");
        if (hasMessages && hasPrompt) {
            throw new InvalidRecord("has both \"messages\" and \"prompt\"; " + FORMATS + ", not both");
        }
        if (hasMessages) {
            return messages(record.get("messages"));
        }
        if (hasPrompt) {
            return promptResponse(record);
        }
        throw new InvalidRecord(record.has("text")
                ? "has \"text\" (plain text for pretraining) but no conversation; " + FORMATS
                : "has neither \"messages\" nor \"prompt\"; " + FORMATS);
    }

    private static List<ChatMessage> messages(JsonNode array) throws InvalidRecord {
        List<ChatMessage> out = messageList(array);
        if (out.stream().noneMatch(m -> m.role().equals("assistant"))) {
            throw new InvalidRecord("the conversation has no assistant message; expected at least one message with"
                    + " \"role\": \"assistant\" to train on");
        }
        return out;
    }

    /**
     * Reads a {@code messages} array of {@code {"role", "content"}} objects with known roles, without
     * requiring an assistant turn (a preference record's prompt has none). A message's other keys
     * ({@code tool_calls}, {@code reasoning_content}, {@code tool_call_id}, ...) go to the chat template
     * as they are; {@code content} may be null (written as "") in a message with {@code tool_calls}.
     */
    static List<ChatMessage> messageList(JsonNode array) throws InvalidRecord {
        if (!array.isArray()) {
            throw new InvalidRecord("\"messages\" is " + article(array) + "; expected an array of"
                    + " {\"role\": ..., \"content\": ...} objects");
        }
        if (array.isEmpty()) {
            throw new InvalidRecord("\"messages\" is empty (an empty conversation); expected at least a user and"
                    + " an assistant message");
        }
        List<ChatMessage> out = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            JsonNode m = array.get(i);
            String at = "messages[" + i + "]";
            if (!m.isObject()) {
                throw new InvalidRecord(at + " is " + article(m) + "; expected {\"role\": ..., \"content\": ...}");
            }
            if (!m.has("role")) {
                throw new InvalidRecord(at + " has no \"role\"; expected \"system\", \"user\", \"assistant\" or \"tool\"");
            }
            JsonNode role = m.get("role");
            if (!role.isTextual() || !ROLES.contains(role.asText())) {
                throw new InvalidRecord(at + ".role is " + (role.isTextual() ? "\"" + role.asText() + "\"" : article(role))
                        + ", an unknown role; expected \"system\", \"user\", \"assistant\" or \"tool\"");
            }
            boolean noContent = m.has("tool_calls") && m.path("content").isNull();
            out.add(new ChatMessage(role.asText(), noContent ? "" : string(m, "content", at), otherKeys(m)));
        }
        requireTurnOrder(out);
        return out;
    }

    /** A message's keys besides role and content, as plain Java values, null values left out. */
    private static Map<String, Object> otherKeys(JsonNode message) {
        Map<String, Object> fields = new LinkedHashMap<>();
        message.fields().forEachRemaining(e -> {
            if (!e.getKey().equals("role") && !e.getKey().equals("content") && !e.getValue().isNull()) {
                fields.put(e.getKey(), JSON.convertValue(e.getValue(), Object.class));
            }
        });
        return fields;
    }

    /**
     * Throws unless an optional system message comes first and the rest starts with a user message,
     * an assistant message follows a user or tool message, a tool result follows an assistant or
     * tool message, and a user message follows an assistant or tool message: chat templates and the
     * loss mask assume that order.
     */
    private static void requireTurnOrder(List<ChatMessage> messages) throws InvalidRecord {
        int first = messages.get(0).role().equals("system") ? 1 : 0;
        for (int i = first; i < messages.size(); i++) {
            String role = messages.get(i).role();
            String previous = i == first ? null : messages.get(i - 1).role();
            boolean ok = switch (role) {
                case "user" -> previous == null || previous.equals("assistant") || previous.equals("tool");
                case "assistant" -> previous != null && (previous.equals("user") || previous.equals("tool"));
                case "tool" -> previous != null && (previous.equals("assistant") || previous.equals("tool"));
                default -> false; // a system message after the first
            };
            if (!ok) {
                throw new InvalidRecord("messages[" + i + "].role is \"" + role + "\" out of order"
                        + (previous == null ? " at the start" : " after \"" + previous + "\"")
                        + ": expected an optional system message first, then a user message, with assistant"
                        + " messages answering user or tool messages and tool results following an assistant");
            }
        }
    }

    private static List<ChatMessage> promptResponse(JsonNode record) throws InvalidRecord {
        String prompt = string(record, "prompt", "");
        if (!record.has("response")) {
            throw new InvalidRecord("has \"prompt\" but no \"response\"; expected {\"prompt\": \"...\","
                    + " \"response\": \"...\", \"system\": \"...\" (optional)}");
        }
        String response = string(record, "response", "");
        List<ChatMessage> out = new ArrayList<>();
        JsonNode system = record.get("system");
        if (system != null && !system.isNull()) {
            out.add(ChatMessage.system(string(record, "system", "")));
        }
        out.add(ChatMessage.user(prompt));
        out.add(ChatMessage.assistant(response));
        return out;
    }

    /** Reads a {@code {"text": "..."}} record. */
    static String plainText(JsonNode record) throws InvalidRecord {
        String text = string(record, "text", "");
        if (text.isEmpty()) {
            throw new InvalidRecord("\"text\" is empty; expected {\"text\": \"...\"} with some text");
        }
        return text;
    }

    /**
     * Reads {@code owner}'s string {@code key}; {@code owner} is "" for the record itself or a path
     * such as {@code messages[2]}.
     */
    static String string(JsonNode parent, String key, String owner) throws InvalidRecord {
        JsonNode value = parent.get(key);
        String name = owner.isEmpty() ? "\"" + key + "\"" : owner + "." + key;
        if (value == null) {
            throw new InvalidRecord((owner.isEmpty() ? "" : owner + " ") + "has no \"" + key + "\"; expected a string");
        }
        if (!value.isTextual()) {
            throw new InvalidRecord(name + " is " + article(value) + "; expected a string");
        }
        return value.asText();
    }

    /** "a number", "an array", "null": how a JSON value is named in messages. */
    static String article(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return "null";
        }
        String type = node.getNodeType().name().toLowerCase(Locale.ROOT);
        return (type.startsWith("a") || type.startsWith("o") ? "an " : "a ") + type;
    }
}
