package org.rlhf4j.datasets;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One PPO prompt read from a prompt file: the conversation to continue and the metadata reward
 * sources route and score by.
 *
 * @param messages the conversation before the response: optional system turns, then user (and
 *     earlier assistant) turns, ending with a user turn
 * @param condition the preference to judge ({@code conditions:} routing, COOL RLHF system
 *     prompts), or null
 * @param tags labels such as {@code safety}, possibly empty
 * @param answer the expected answer for rule rewards, or null
 * @param extra every other key of the record as plain Java values, for user reward functions
 * @param source {@code FILE:LINE}, for messages
 */
public record PromptRecord(
        List<ChatMessage> messages,
        String condition,
        List<String> tags,
        String answer,
        Map<String, Object> extra,
        String source) {

    public PromptRecord {
        messages = List.copyOf(messages);
        tags = tags == null ? List.of() : List.copyOf(tags);
        extra = extra == null ? Map.of() : Map.copyOf(extra);
        Objects.requireNonNull(source, "source");
    }

    /** The prompt as the user wrote it: the content of the last user message. */
    public String userText() {
        for (int i = messages.size() - 1; i >= 0; i--) {
            if (messages.get(i).role().equals("user")) {
                return messages.get(i).content();
            }
        }
        return "";
    }
}
