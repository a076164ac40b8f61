package org.rlhf4j.datasets.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.rlhf4j.datasets.ChatMessage;
import org.rlhf4j.datasets.PreferencePair;

/**
 * Alpaca records as LLaMA-Factory reads them: {@code {"instruction", "input"?, "output", "system"?,
 * "history"?: [["earlier question", "earlier answer"], ...]}}. The user turn is the instruction,
 * then a newline and the input when the input is not empty. The preference form has
 * {@code "chosen"} and {@code "rejected"} strings instead of {@code "output"}.
 */
public final class AlpacaFormat implements SftFormat, PreferenceFormat {

    private static final String SHAPE = "expected {\"instruction\": \"...\", \"input\": \"...\" (optional),"
            + " \"output\": \"...\", \"system\": \"...\" (optional), \"history\": [[\"q\", \"a\"], ...] (optional)}";

    @Override
    public List<ChatMessage> conversation(ObjectNode record) throws InvalidRecord {
        List<ChatMessage> out = prompt(record);
        if (!record.has("output")) {
            throw new InvalidRecord("has no \"output\"; " + SHAPE);
        }
        out.add(ChatMessage.assistant(JsonFields.string(record, "output", "")));
        return out;
    }

    @Override
    public PreferencePair pair(ObjectNode record, String source) throws InvalidRecord {
        List<ChatMessage> prompt = prompt(record);
        String chosen = TrlPreferenceFormat.requiredString(record, "chosen", SHAPE.replace("\"output\": \"...\"",
                "\"chosen\": \"...\", \"rejected\": \"...\""));
        String rejected = TrlPreferenceFormat.requiredString(record, "rejected", SHAPE);
        return TrlPreferenceFormat.pair(prompt, chosen, rejected, record, source);
    }

    /** System, history and the instruction (with its input) as turns: the conversation before the output. */
    public static List<ChatMessage> prompt(ObjectNode record) throws InvalidRecord {
        if (!record.has("instruction")) {
            throw new InvalidRecord("has no \"instruction\"; " + SHAPE);
        }
        List<ChatMessage> out = new ArrayList<>();
        String system = JsonFields.optionalString(record, "system");
        if (system != null && !system.isEmpty()) {
            out.add(ChatMessage.system(system));
        }
        JsonNode history = record.get("history");
        if (history != null && !history.isNull()) {
            if (!history.isArray()) {
                throw new InvalidRecord("\"history\" is " + JsonFields.article(history) + "; expected a list of"
                        + " [\"question\", \"answer\"] pairs");
            }
            for (int i = 0; i < history.size(); i++) {
                JsonNode turn = history.get(i);
                if (!turn.isArray() || turn.size() != 2 || !turn.get(0).isTextual() || !turn.get(1).isTextual()) {
                    throw new InvalidRecord("history[" + i + "] is not a pair of strings; expected [\"question\","
                            + " \"answer\"]");
                }
                out.add(ChatMessage.user(turn.get(0).asText()));
                out.add(ChatMessage.assistant(turn.get(1).asText()));
            }
        }
        String instruction = JsonFields.string(record, "instruction", "");
        String input = JsonFields.optionalString(record, "input");
        out.add(ChatMessage.user(input == null || input.isEmpty() ? instruction : instruction + "\n" + input));
        return out;
    }
}
