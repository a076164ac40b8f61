package org.rlhf4j.datasets;

import java.util.List;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.rlhf4j.datasets.format.InvalidRecord;
import org.rlhf4j.datasets.format.JsonFields;
import org.rlhf4j.datasets.format.MessageReader;
import org.rlhf4j.datasets.format.TrlPreferenceFormat;
import org.rlhf4j.datasets.io.BadRecordException;

/**
 * Single lines of preference data, parsed and validated as {@link PreferenceDataset} does, for
 * tools that handle one line at a time ({@code rlhf4j score}).
 */
public final class PreferenceRecords {

    private static final MessageReader OPENAI = MessageReader.openAi(Map.of());

    private PreferenceRecords() {}

    /**
     * A prompt and one response to score: {@code {"prompt": "..." | "messages": [...], "system"?,
     * "response": "...", "condition"?}}.
     *
     * @param prompt the conversation before the response
     * @param response the response
     * @param condition the preference to judge, or null
     * @param source {@code FILE:LINE}
     */
    public record Scored(List<ChatMessage> prompt, String response, String condition, String source) {
        public Scored {
            prompt = List.copyOf(prompt);
        }
    }

    /**
     * Parses a preference line ({@code chosen} and {@code rejected}).
     *
     * @throws BadRecordException {@code source: what is wrong; what is expected}
     */
    public static PreferencePair pair(String line, String source) {
        try {
            return new TrlPreferenceFormat(OPENAI).pair(JsonFields.object(line), source);
        } catch (InvalidRecord e) {
            throw new BadRecordException(source + ": " + e.getMessage());
        }
    }

    /**
     * Parses a line with one {@code response}.
     *
     * @throws BadRecordException {@code source: what is wrong; what is expected}
     */
    public static Scored response(String line, String source) {
        try {
            JsonNode record = JsonFields.object(line);
            List<ChatMessage> prompt = TrlPreferenceFormat.prompt(record, OPENAI);
            if (!record.has("response")) {
                throw new InvalidRecord("has no \"response\"; expected {\"prompt\": \"...\" | \"messages\": [...],"
                        + " \"response\": \"...\", \"condition\": \"...\"?}");
            }
            return new Scored(prompt, JsonFields.string(record, "response", ""), TrlPreferenceFormat.condition(record),
                    source);
        } catch (InvalidRecord e) {
            throw new BadRecordException(source + ": " + e.getMessage());
        }
    }
}
