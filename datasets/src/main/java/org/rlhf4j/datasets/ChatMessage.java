package org.rlhf4j.datasets;

import java.util.Map;
import java.util.Objects;

/**
 * One turn of a conversation: {@code role} is system, user, assistant or tool; {@code fields} holds
 * the message's other keys as a template sees them ({@code tool_calls}, {@code reasoning_content},
 * {@code tool_call_id}, {@code name}), as plain JSON values (maps, lists, strings, numbers).
 */
public record ChatMessage(String role, String content, Map<String, Object> fields) {

    public ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
        fields = Map.copyOf(fields);
    }

    /** A message with a role and content only. */
    public ChatMessage(String role, String content) {
        this(role, content, Map.of());
    }

    public static ChatMessage system(String content) {
        return new ChatMessage("system", content);
    }

    public static ChatMessage user(String content) {
        return new ChatMessage("user", content);
    }

    public static ChatMessage assistant(String content) {
        return new ChatMessage("assistant", content);
    }
}
