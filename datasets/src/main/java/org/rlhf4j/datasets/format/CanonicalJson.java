package org.rlhf4j.datasets.format;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.rlhf4j.datasets.ChatMessage;
import org.rlhf4j.datasets.PreferencePair;

/**
 * Records in rlhf4j's own JSONL format ({@code rlhf4j data convert}): {@code {"messages": [...],
 * "tools": [...]?}} for conversations, {@code {"prompt", "system"?, "chosen", "rejected", ...}} for preference pairs
 * with a single-turn prompt and {@code {"messages", "chosen", "rejected", ...}} otherwise, a
 * response being a string or, when it has several turns or tool calls, a message list. Reading
 * the output back with {@code data.format: auto} gives the same conversations and pairs.
 */
public final class CanonicalJson {

    private CanonicalJson() {}

    /** {@code {"messages": [{"role", "content", ...fields}]}}. */
    public static ObjectNode conversation(List<ChatMessage> messages) {
        return conversation(messages, null);
    }

    /** {@code {"messages": [...], "tools": [...]}}; {@code tools} ({@link ToolSchemas}) may be null. */
    public static ObjectNode conversation(List<ChatMessage> messages, List<Object> tools) {
        ObjectNode out = JsonFields.JSON.createObjectNode();
        messages(out.putArray("messages"), messages);
        if (tools != null) {
            out.set("tools", JsonFields.JSON.valueToTree(tools));
        }
        return out;
    }

    /** {@code {"text": ...}}. */
    public static ObjectNode text(String text) {
        return JsonFields.JSON.createObjectNode().put("text", text);
    }

    /** A preference pair with its optional preference degree, margin and condition. */
    public static ObjectNode pair(PreferencePair pair) {
        ObjectNode out = JsonFields.JSON.createObjectNode();
        List<ChatMessage> prompt = pair.prompt();
        boolean plainMessages = prompt.stream().allMatch(m -> m.fields().isEmpty());
        if (plainMessages && prompt.size() == 1) {
            out.put("prompt", prompt.get(0).content());
        } else if (plainMessages && prompt.size() == 2 && prompt.get(0).role().equals("system")) {
            out.put("system", prompt.get(0).content());
            out.put("prompt", prompt.get(1).content());
        } else {
            messages(out.putArray("messages"), prompt);
        }
        response(out, "chosen", pair.chosen());
        response(out, "rejected", pair.rejected());
        if (pair.preference() != null) {
            out.put("preference", pair.preference());
        }
        if (pair.margin() != null) {
            out.put("margin", pair.margin());
        }
        if (pair.condition() != null) {
            out.put("condition", pair.condition());
        }
        if (pair.tools() != null) {
            out.set("tools", JsonFields.JSON.valueToTree(pair.tools()));
        }
        return out;
    }

    /** A one-message response as a string, a response of several turns as its message list. */
    private static void response(ObjectNode out, String key, List<ChatMessage> response) {
        if (PreferencePair.isPlainText(response)) {
            out.put(key, response.get(0).content());
        } else {
            messages(out.putArray(key), response);
        }
    }

    private static void messages(ArrayNode array, List<ChatMessage> messages) {
        for (ChatMessage m : messages) {
            ObjectNode node = array.addObject().put("role", m.role()).put("content", m.content());
            m.fields().forEach((key, value) -> node.set(key, JsonFields.JSON.valueToTree(value)));
        }
    }
}
