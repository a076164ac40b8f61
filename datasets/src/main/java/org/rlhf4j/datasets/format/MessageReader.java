package org.rlhf4j.datasets.format;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.rlhf4j.datasets.ChatMessage;

/**
 * Reads an array of messages into {@link ChatMessage}s: OpenAI/TRL {@code {"role", "content"}}
 * objects or ShareGPT {@code {"from", "value"}} objects, with role names mapped to the four roles
 * chat templates know (system, user, assistant, tool).
 *
 * <p>A message's other keys ({@code tool_calls}, {@code tool_call_id}, {@code name},
 * {@code reasoning_content}) reach the chat template as structured values. {@code content} may be
 * null in a message with {@code tool_calls}, or a list of {@code {"type": "text", "text"}} parts
 * (joined). A role mapped to {@value #FUNCTION_CALL} (ShareGPT's {@code function_call}) becomes an
 * assistant message whose {@code tool_calls} are the JSON of its content.
 *
 * @param roleKey the key of the role ({@code role} or {@code from})
 * @param contentKey the key of the text ({@code content} or {@code value})
 * @param roles role names as written in the data mapped to canonical roles
 */
public record MessageReader(String roleKey, String contentKey, Map<String, String> roles) {

    /** The roles chat templates know. */
    public static final Set<String> ROLES = Set.of("system", "user", "assistant", "tool");
    /** A canonical role for tool calls written as JSON text in the content (ShareGPT). */
    static final String FUNCTION_CALL = "function_call";
    private static final String[] OPENAI = {"system", "system", "user", "user", "assistant", "assistant", "tool", "tool"};
    private static final String[] SHAREGPT = {"system", "system", "human", "user", "gpt", "assistant",
        "function_call", FUNCTION_CALL, "observation", "tool", "user", "user", "assistant", "assistant", "tool", "tool"};

    public MessageReader {
        roles = Collections.unmodifiableMap(new LinkedHashMap<>(roles)); // ordered, for messages
    }

    /** {@code {"role", "content"}} messages; {@code extraRoles} ({@code data.roles}) adds or renames roles. */
    public static MessageReader openAi(Map<String, String> extraRoles) {
        return new MessageReader("role", "content", merged(OPENAI, extraRoles));
    }

    /** ShareGPT {@code {"from", "value"}} messages; {@code extraRoles} adds or renames roles. */
    public static MessageReader shareGpt(Map<String, String> extraRoles) {
        return new MessageReader("from", "value", merged(SHAREGPT, extraRoles));
    }

    private static Map<String, String> merged(String[] defaults, Map<String, String> extra) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < defaults.length; i += 2) {
            out.put(defaults[i], defaults[i + 1]);
        }
        out.putAll(extra);
        return out;
    }

    /** The shape of one message, for messages. */
    String shape() {
        return "{\"" + roleKey + "\": ..., \"" + contentKey + "\": ...}";
    }

    private String knownRoles() {
        List<String> names = roles.keySet().stream().map(r -> "\"" + r + "\"").toList();
        return names.size() == 1 ? names.get(0) : String.join(", ", names.subList(0, names.size() - 1)) + " or "
                + names.get(names.size() - 1);
    }

    /**
     * Reads {@code array} (the record's {@code field}) without requiring an assistant turn; the
     * turn order is checked ({@link #requireTurnOrder}).
     */
    public List<ChatMessage> read(JsonNode array, String field) throws InvalidRecord {
        List<ChatMessage> out = readUnordered(array, field);
        requireTurnOrder(out, field);
        return out;
    }

    /** Reads {@code array} without checking the order of turns (a response list may start with the assistant). */
    List<ChatMessage> readUnordered(JsonNode array, String field) throws InvalidRecord {
        if (array == null || !array.isArray()) {
            throw new InvalidRecord("\"" + field + "\" is " + JsonFields.article(array) + "; expected an array of "
                    + shape() + " objects");
        }
        if (array.isEmpty()) {
            throw new InvalidRecord("\"" + field + "\" is empty (an empty conversation); expected at least a user and"
                    + " an assistant message");
        }
        List<ChatMessage> out = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            out.add(message(array.get(i), field + "[" + i + "]"));
        }
        return out;
    }

    /** Reads one message object; {@code at} names it in messages ({@code messages[2]}). */
    ChatMessage message(JsonNode m, String at) throws InvalidRecord {
        if (!m.isObject()) {
            throw new InvalidRecord(at + " is " + JsonFields.article(m) + "; expected " + shape());
        }
        if (!m.has(roleKey)) {
            throw new InvalidRecord(at + " has no \"" + roleKey + "\"; expected " + knownRoles());
        }
        JsonNode roleNode = m.get(roleKey);
        String role = roleNode.isTextual() ? roles.get(roleNode.asText()) : null;
        if (role == null) {
            throw new InvalidRecord(at + "." + roleKey + " is "
                    + (roleNode.isTextual() ? "\"" + roleNode.asText() + "\"" : JsonFields.article(roleNode))
                    + ", an unknown role; expected " + knownRoles() + " (or map it with data.roles)");
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        m.fields().forEachRemaining(e -> {
            if (!e.getKey().equals(roleKey) && !e.getKey().equals(contentKey) && !e.getValue().isNull()) {
                fields.put(e.getKey(), JsonFields.plain(e.getValue()));
            }
        });
        if (role.equals(FUNCTION_CALL)) {
            fields.put("tool_calls", toolCalls(JsonFields.string(m, contentKey, at), at));
            return new ChatMessage("assistant", "", fields);
        }
        boolean noContent = m.has("tool_calls") && m.path(contentKey).isNull();
        return new ChatMessage(role, noContent ? "" : content(m, at), fields);
    }

    /** A string, or a list of {@code {"type": "text", "text": ...}} parts joined (OpenAI's content parts). */
    private String content(JsonNode m, String at) throws InvalidRecord {
        JsonNode value = m.get(contentKey);
        if (value == null || !value.isArray()) {
            return JsonFields.string(m, contentKey, at);
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < value.size(); i++) {
            JsonNode part = value.get(i);
            if (!part.isObject() || !"text".equals(part.path("type").asText()) || !part.path("text").isTextual()) {
                throw new InvalidRecord(at + "." + contentKey + "[" + i + "] is not a text part; expected a string or"
                        + " a list of {\"type\": \"text\", \"text\": \"...\"}");
            }
            text.append(part.get("text").asText());
        }
        return text.toString();
    }

    /**
     * ShareGPT's {@code function_call} value, {@code {"name", "arguments"}} or a list of them, as
     * OpenAI {@code tool_calls}.
     */
    private static List<Object> toolCalls(String json, String at) throws InvalidRecord {
        JsonNode calls;
        try {
            calls = JsonFields.JSON.readTree(json);
        } catch (JsonProcessingException e) {
            calls = null;
        }
        List<Object> out = new ArrayList<>();
        for (JsonNode call : calls != null && calls.isArray() ? calls : Collections.singletonList(calls)) {
            if (call == null || !call.isObject() || !call.path("name").isTextual()) {
                throw new InvalidRecord(at + " is a function_call whose value is not {\"name\": ..., \"arguments\":"
                        + " {...}} (or a list of them) as JSON text");
            }
            Object arguments = call.has("arguments") ? JsonFields.plain(call.get("arguments")) : Map.of();
            Map<String, Object> function = new LinkedHashMap<>(); // name first, as OpenAI writes it
            function.put("name", call.get("name").asText());
            function.put("arguments", arguments);
            Map<String, Object> toolCall = new LinkedHashMap<>();
            toolCall.put("type", "function");
            toolCall.put("function", function);
            out.add(toolCall);
        }
        return out;
    }

    /**
     * Throws unless an optional system message comes first and the rest starts with a user message,
     * an assistant message follows a user or tool message, a tool result follows an assistant or
     * tool message, and a user message follows an assistant or tool message: chat templates and the
     * loss mask assume that order.
     */
    static void requireTurnOrder(List<ChatMessage> messages, String field) throws InvalidRecord {
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
                throw new InvalidRecord(field + "[" + i + "].role is \"" + role + "\" out of order"
                        + (previous == null ? " at the start" : " after \"" + previous + "\"")
                        + ": expected an optional system message first, then a user message, with assistant"
                        + " messages answering user or tool messages and tool results following an assistant");
            }
        }
    }
}
