package org.rlhf4j.datasets.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.rlhf4j.datasets.ChatMessage;
import org.rlhf4j.datasets.PreferencePair;

/**
 * ShareGPT conversations as LLaMA-Factory reads them: {@code {"conversations": [{"from": "human" |
 * "gpt" | "system" | "function_call" | "observation", "value": "..."}], "system"?: "..."}}. The
 * ranking form ends {@code conversations} with the human turn and adds {@code "chosen"} and
 * {@code "rejected"}, each a {@code {"from": "gpt", "value"}} message (or a string).
 */
public final class ShareGptFormat implements SftFormat, PreferenceFormat {

    private static final String SHAPE = "expected {\"conversations\": [{\"from\": \"human\", \"value\": \"...\"},"
            + " {\"from\": \"gpt\", \"value\": \"...\"}]}";

    private final MessageReader messages;

    public ShareGptFormat(MessageReader messages) {
        this.messages = messages;
    }

    @Override
    public List<ChatMessage> conversation(ObjectNode record) throws InvalidRecord {
        return SftFormat.requireAssistant(turns(record));
    }

    @Override
    public PreferencePair pair(ObjectNode record, String source) throws InvalidRecord {
        List<ChatMessage> prompt = turns(record);
        if (!prompt.get(prompt.size() - 1).role().equals("user")) {
            throw new InvalidRecord("\"conversations\" ends with a " + prompt.get(prompt.size() - 1).role()
                    + " message; expected the conversation before the responses, ending with the human turn that"
                    + " chosen and rejected answer");
        }
        return TrlPreferenceFormat.pair(prompt, response(record, "chosen"), response(record, "rejected"), record,
                source);
    }

    /** The optional top-level {@code system}, then {@code conversations}. */
    private List<ChatMessage> turns(ObjectNode record) throws InvalidRecord {
        if (!record.has("conversations")) {
            throw new InvalidRecord("has no \"conversations\"; " + SHAPE);
        }
        List<ChatMessage> out = new ArrayList<>();
        String system = JsonFields.optionalString(record, "system");
        if (system != null && !system.isEmpty()) {
            out.add(ChatMessage.system(system));
        }
        out.addAll(messages.readUnordered(record.get("conversations"), "conversations"));
        MessageReader.requireTurnOrder(out, "conversations");
        return out;
    }

    private String response(ObjectNode record, String key) throws InvalidRecord {
        JsonNode value = record.get(key);
        if (value == null) {
            throw new InvalidRecord("has no \"" + key + "\"; expected \"" + key + "\": {\"from\": \"gpt\", \"value\":"
                    + " \"...\"}");
        }
        if (value.isTextual()) {
            return value.asText();
        }
        ChatMessage m = messages.message(value, key);
        if (!m.role().equals("assistant") || !m.fields().isEmpty()) {
            throw new InvalidRecord("\"" + key + "\" is a " + m.role() + " message; expected {\"from\": \"gpt\","
                    + " \"value\": \"...\"}");
        }
        return m.content();
    }
}
