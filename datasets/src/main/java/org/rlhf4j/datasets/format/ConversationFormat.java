package org.rlhf4j.datasets.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.rlhf4j.datasets.ChatMessage;

/**
 * OpenAI/TRL conversations: {@code {"messages": [{"role", "content", "tool_calls"?, ...}]}}, or
 * {@code {"prompt", "completion" | "response", "system"?}} where prompt and completion are strings
 * (one user and one assistant turn) or message lists (TRL's conversational prompt-completion).
 * A file may mix the two shapes.
 */
public final class ConversationFormat implements SftFormat {

    static final String SHAPES = "expected {\"messages\": [{\"role\": \"user\", \"content\": \"...\"},"
            + " {\"role\": \"assistant\", \"content\": \"...\"}]} or {\"prompt\": \"...\", \"completion\": \"...\"}";

    private final MessageReader messages;

    public ConversationFormat(MessageReader messages) {
        this.messages = messages;
    }

    @Override
    public List<ChatMessage> conversation(ObjectNode record) throws InvalidRecord {
        boolean hasMessages = record.has("messages");
        boolean hasPrompt = record.has("prompt");
        if (hasMessages && hasPrompt) {
            throw new InvalidRecord("has both \"messages\" and \"prompt\"; " + SHAPES + ", not both");
        }
        if (hasMessages) {
            return SftFormat.requireAssistant(messages.read(record.get("messages"), "messages"));
        }
        if (hasPrompt) {
            return promptCompletion(record);
        }
        throw new InvalidRecord(record.has("text")
                ? "has \"text\" (plain text for pretraining) but no conversation; " + SHAPES
                : "has neither \"messages\" nor \"prompt\"; " + SHAPES);
    }

    private List<ChatMessage> promptCompletion(ObjectNode record) throws InvalidRecord {
        String key = record.has("completion") ? "completion" : "response";
        if (record.has("completion") && record.has("response")) {
            throw new InvalidRecord("has both \"completion\" and \"response\"; expected one of them");
        }
        List<ChatMessage> out = prompt(record, messages);
        if (!record.has(key)) {
            throw new InvalidRecord("has \"prompt\" but no \"response\" (or \"completion\"); expected {\"prompt\": \"...\","
                    + " \"completion\": \"...\", \"system\": \"...\" (optional)}, strings or message lists");
        }
        out.addAll(response(record, key, messages));
        MessageReader.requireTurnOrder(out, key);
        return SftFormat.requireAssistant(out);
    }

    /**
     * The turns before the response: {@code prompt} as a string (after an optional {@code system}
     * string) or as a list of messages.
     */
    public static List<ChatMessage> prompt(JsonNode record, MessageReader messages) throws InvalidRecord {
        List<ChatMessage> out = new ArrayList<>();
        JsonNode prompt = record.get("prompt");
        if (prompt.isArray()) {
            if (record.hasNonNull("system")) {
                throw new InvalidRecord("has \"system\" next to a \"prompt\" message list; put the system turn in"
                        + " \"prompt\"");
            }
            out.addAll(messages.read(prompt, "prompt"));
            return out;
        }
        String system = JsonFields.optionalString(record, "system");
        if (system != null) {
            out.add(ChatMessage.system(system));
        }
        out.add(ChatMessage.user(JsonFields.string(record, "prompt", "")));
        return out;
    }

    /** The response {@code key}: a string (one assistant turn) or a list of messages starting with the assistant. */
    static List<ChatMessage> response(JsonNode record, String key, MessageReader messages) throws InvalidRecord {
        JsonNode value = record.get(key);
        if (value != null && value.isArray()) {
            return messages.readUnordered(value, key);
        }
        return List.of(ChatMessage.assistant(JsonFields.string(record, key, "")));
    }
}
