package org.rlhf4j.datasets;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.rlhf4j.datasets.SftRecordParser.InvalidRecord;

/**
 * Parses and validates one JSONL line of preference data into a {@link PreferencePair}. Each
 * problem is described as "what is wrong; what is expected"; the caller prefixes {@code FILE:LINE}.
 * Keys other than the ones read here (an {@code id}, a {@code source}) are ignored.
 */
final class PreferenceRecordParser {

    private static final String FORMAT = "expected {\"prompt\": \"...\" | \"messages\": [...], \"chosen\": \"...\","
            + " \"rejected\": \"...\", \"preference\": \"better\"?, \"margin\": 1.0?, \"condition\": \"...\"?}";

    private PreferenceRecordParser() {}

    /** Parses {@code line}; {@code source} ({@code FILE:LINE}) is kept on the pair for later messages. */
    static PreferencePair parse(String line, String source) throws InvalidRecord {
        JsonNode record = SftRecordParser.object(line);
        List<ChatMessage> prompt = prompt(record);
        String chosen = response(record, "chosen");
        String rejected = response(record, "rejected");
        if (chosen.equals(rejected)) {
            throw new InvalidRecord("\"chosen\" and \"rejected\" are the same text; a pair needs two different"
                    + " responses");
        }
        return new PreferencePair(prompt, chosen, rejected, preference(record), margin(record), condition(record),
                source);
    }

    /** Parses a {@code {"prompt" | "messages", "response", "condition"?}} line to be scored. */
    static PreferenceRecords.Scored response(String line, String source) throws InvalidRecord {
        JsonNode record = SftRecordParser.object(line);
        return new PreferenceRecords.Scored(prompt(record), response(record, "response"), condition(record), source);
    }

    /** The conversation before the responses: {@code prompt} (+ optional {@code system}) or {@code messages}. */
    private static List<ChatMessage> prompt(JsonNode record) throws InvalidRecord {
        boolean hasMessages = record.has("messages");
        boolean hasPrompt = record.has("prompt");
        if (hasMessages && hasPrompt) {
            throw new InvalidRecord("has both \"messages\" and \"prompt\"; " + FORMAT + ", not both");
        }
        if (!hasMessages && !hasPrompt) {
            throw new InvalidRecord("has neither \"prompt\" nor \"messages\"; " + FORMAT);
        }
        List<ChatMessage> out = new ArrayList<>();
        if (hasPrompt) {
            JsonNode system = record.get("system");
            if (system != null && !system.isNull()) {
                out.add(ChatMessage.system(SftRecordParser.string(record, "system", "")));
            }
            out.add(ChatMessage.user(SftRecordParser.string(record, "prompt", "")));
            return out;
        }
        JsonNode messages = record.get("messages");
        if (messages.isArray() && messages.isEmpty()) {
            throw new InvalidRecord("\"messages\" is empty; expected the conversation before the responses,"
                    + " ending with a user message");
        }
        out.addAll(SftRecordParser.messageList(messages));
        ChatMessage last = out.get(out.size() - 1);
        if (!last.role().equals("user")) {
            throw new InvalidRecord("\"messages\" ends with a " + last.role() + " message; expected the conversation"
                    + " before the responses, ending with the user message that chosen and rejected answer");
        }
        return out;
    }

    private static String response(JsonNode record, String key) throws InvalidRecord {
        if (!record.has(key)) {
            throw new InvalidRecord("has no \"" + key + "\"; " + FORMAT);
        }
        return SftRecordParser.string(record, key, "");
    }

    private static String preference(JsonNode record) throws InvalidRecord {
        JsonNode value = record.get("preference");
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new InvalidRecord("\"preference\" is " + SftRecordParser.article(value) + "; expected one of "
                    + PreferenceDegree.names());
        }
        try {
            return PreferenceDegree.fromName(value.asText()).configName();
        } catch (IllegalArgumentException e) {
            throw new InvalidRecord(e.getMessage());
        }
    }

    private static Double margin(JsonNode record) throws InvalidRecord {
        JsonNode value = record.get("margin");
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isNumber() || !Double.isFinite(value.asDouble())) {
            throw new InvalidRecord("\"margin\" is " + (value.isNumber() ? "not finite" : SftRecordParser.article(value))
                    + "; expected a finite number");
        }
        return value.asDouble();
    }

    private static String condition(JsonNode record) throws InvalidRecord {
        JsonNode value = record.get("condition");
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual() || value.asText().isBlank()) {
            throw new InvalidRecord("\"condition\" is " + (value.isTextual() ? "blank" : SftRecordParser.article(value))
                    + "; expected a condition name from the config's conditions table, or a system prompt");
        }
        return value.asText();
    }
}
