package org.rlhf4j.datasets.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.rlhf4j.datasets.ChatMessage;
import org.rlhf4j.datasets.PreferenceDegree;
import org.rlhf4j.datasets.PreferencePair;

/**
 * TRL preference records and rlhf4j's own: {@code {"prompt" | "messages", "chosen", "rejected"}}
 * where the prompt is a string or a message list and each response a string or a one-message
 * message list that continues the conversation (one assistant message, or assistant tool calls,
 * tool results and the final answer: TRL's conversational form); or the implicit-prompt form where
 * {@code chosen} and {@code rejected} are whole conversations and their shared beginning is the
 * prompt (UltraFeedback-binarized, whose {@code prompt} and {@code messages} columns are then
 * ignored).
 *
 * <p>Optional keys: {@code preference} (a {@link PreferenceDegree}), {@code margin}, or
 * {@code score_chosen} and {@code score_rejected} (UltraFeedback), whose difference is the margin
 * ({@code rm.margin: auto} uses it), and {@code condition}.
 */
public final class TrlPreferenceFormat implements PreferenceFormat {

    static final String SHAPE = "expected {\"prompt\": \"...\" | \"messages\": [...], \"chosen\": \"...\","
            + " \"rejected\": \"...\", \"preference\": \"better\"?, \"margin\": 1.0?, \"condition\": \"...\"?}";

    private static final String SCORES = "expected UltraFeedback-binarized scores {\"score_chosen\": 8.5,"
            + " \"score_rejected\": 3.0} (numbers; their difference is the pair's margin)";

    private final MessageReader messages;
    private final boolean requireScores;

    /**
     * @param messages how message lists are read
     * @param requireScores whether every record must have {@code score_chosen} and {@code score_rejected}
     *     ({@code data.format: ultrafeedback})
     */
    public TrlPreferenceFormat(MessageReader messages, boolean requireScores) {
        this.messages = messages;
        this.requireScores = requireScores;
    }

    /** TRL and rlhf4j preference records, scores optional. */
    public TrlPreferenceFormat(MessageReader messages) {
        this(messages, false);
    }

    @Override
    public PreferencePair pair(ObjectNode record, String source) throws InvalidRecord {
        if (requireScores) {
            for (String key : List.of("score_chosen", "score_rejected")) {
                if (!record.hasNonNull(key)) {
                    throw new InvalidRecord("has no \"" + key + "\"" + (record.has(key) ? " (it is null)" : "") + "; "
                            + SCORES);
                }
            }
        }
        JsonNode chosen = record.get("chosen");
        JsonNode rejected = record.get("rejected");
        if (chosen != null && chosen.isArray() && rejected != null && rejected.isArray() && isConversation(chosen)) {
            return implicitPrompt(messages.read(chosen, "chosen"), messages.read(rejected, "rejected"), record, source);
        }
        List<ChatMessage> prompt = prompt(record, messages);
        return pair(prompt, response(prompt, record, "chosen"), response(prompt, record, "rejected"), record, source);
    }

    /** Whether a response list is a whole conversation (it starts before the assistant's answer). */
    private boolean isConversation(JsonNode list) {
        JsonNode first = list.path(0);
        return first.isObject() && !"assistant".equals(messages.roles().get(first.path(messages.roleKey()).asText()));
    }

    /**
     * Splits two whole conversations where they part: the shared beginning is the prompt, ending with
     * the user message (or tool result) that both responses answer, and the rest of each is its
     * response, starting and ending with an assistant message (TRL's implicit prompt, HH-RLHF). When
     * the two share the start of their answer (the same tool call), the split moves back to the
     * last turn that both answer, so both responses start with the assistant.
     */
    static PreferencePair implicitPrompt(List<ChatMessage> chosen, List<ChatMessage> rejected, JsonNode record,
            String source) throws InvalidRecord {
        int shared = 0;
        while (shared < chosen.size() && shared < rejected.size() && chosen.get(shared).equals(rejected.get(shared))) {
            shared++;
        }
        if (shared == chosen.size() && shared == rejected.size()) {
            throw new InvalidRecord("\"chosen\" and \"rejected\" are the same conversation; a pair needs two different"
                    + " responses");
        }
        int split = shared;
        while (split > 0 && !(answered(chosen.get(split - 1)) && startsAnswer(chosen, split)
                && startsAnswer(rejected, split))) {
            split--;
        }
        if (split == 0) {
            String part = shared == 0 ? "do not start with the same turns"
                    : "share turns that do not end with a user message followed by an assistant answer in each";
            throw new InvalidRecord("\"chosen\" and \"rejected\" " + part + " (" + describe(chosen, shared, "chosen")
                    + "); expected the same conversation up to the user turn they answer, then an assistant"
                    + " response in each");
        }
        return pair(chosen.subList(0, split), completion(chosen.subList(split, chosen.size()), "chosen"),
                completion(rejected.subList(split, rejected.size()), "rejected"), record, source);
    }

    private static boolean answered(ChatMessage m) {
        return m.role().equals("user") || m.role().equals("tool");
    }

    private static boolean startsAnswer(List<ChatMessage> side, int at) {
        return at < side.size() && side.get(at).role().equals("assistant");
    }

    private static String describe(List<ChatMessage> side, int shared, String key) {
        return shared < side.size() ? "\"" + key + "\" goes on with a " + side.get(shared).role() + " message after "
                + shared + " shared turn(s)" : "\"" + key + "\" ends after " + shared + " shared turn(s)";
    }

    /** A response that continues a conversation: it must end with the assistant turn that is scored. */
    static List<ChatMessage> completion(List<ChatMessage> response, String key) throws InvalidRecord {
        ChatMessage last = response.get(response.size() - 1);
        if (!last.role().equals("assistant")) {
            throw new InvalidRecord("\"" + key + "\" ends with a " + last.role() + " message; expected the response to"
                    + " end with an assistant message (the answer that is scored)");
        }
        return response;
    }

    /** The conversation before the responses: {@code prompt} (string or list, + optional {@code system}) or {@code messages}. */
    public static List<ChatMessage> prompt(JsonNode record, MessageReader messages) throws InvalidRecord {
        boolean hasMessages = record.has("messages");
        boolean hasPrompt = record.has("prompt");
        if (hasMessages && hasPrompt) {
            throw new InvalidRecord("has both \"messages\" and \"prompt\"; " + SHAPE + ", not both");
        }
        if (!hasMessages && !hasPrompt) {
            throw new InvalidRecord("has neither \"prompt\" nor \"messages\"; " + SHAPE);
        }
        String key = hasPrompt ? "prompt" : "messages";
        JsonNode list = record.get(key);
        if (list.isArray() && list.isEmpty()) {
            throw new InvalidRecord("\"" + key + "\" is empty; expected the conversation before the responses,"
                    + " ending with a user message");
        }
        List<ChatMessage> out = hasPrompt ? ConversationFormat.prompt(record, messages)
                : new ArrayList<>(messages.read(list, key));
        ChatMessage last = out.get(out.size() - 1);
        if (!last.role().equals("user")) {
            throw new InvalidRecord("\"" + key + "\" ends with a " + last.role() + " message; expected the conversation"
                    + " before the responses, ending with the user message that chosen and rejected answer");
        }
        return out;
    }

    /**
     * A response: a string, or a message list that continues the prompt (one assistant message, or
     * assistant tool calls and tool results up to the final assistant answer).
     */
    private List<ChatMessage> response(List<ChatMessage> prompt, JsonNode record, String key) throws InvalidRecord {
        JsonNode value = record.get(key);
        if (value == null) {
            throw new InvalidRecord("has no \"" + key + "\"; " + SHAPE);
        }
        if (!value.isArray()) {
            return List.of(ChatMessage.assistant(JsonFields.string(record, key, "")));
        }
        List<ChatMessage> list = messages.readUnordered(value, key);
        if (!list.get(0).role().equals("assistant")) {
            throw new InvalidRecord("\"" + key + "\" is a list of " + list.size() + " message(s) starting with a "
                    + list.get(0).role() + " message; expected a string, assistant messages (with tool results"
                    + " between them) that answer the prompt, or (with no \"prompt\") whole conversations that"
                    + " share the prompt");
        }
        List<ChatMessage> whole = new ArrayList<>(prompt);
        whole.addAll(list);
        try {
            MessageReader.requireTurnOrder(whole, "prompt + " + key);
        } catch (InvalidRecord e) {
            throw new InvalidRecord("\"" + key + "\" has turns out of order after the prompt (" + e.getMessage() + ")");
        }
        return completion(list, key);
    }

    /** A required string field; {@code shape} is the record's expected shape for the message. */
    static String requiredString(JsonNode record, String key, String shape) throws InvalidRecord {
        if (!record.has(key)) {
            throw new InvalidRecord("has no \"" + key + "\"; " + shape);
        }
        return JsonFields.string(record, key, "");
    }

    /** A pair of one-message responses with the record's optional {@code preference}, margin and {@code condition}. */
    static PreferencePair pair(List<ChatMessage> prompt, String chosen, String rejected, JsonNode record,
            String source) throws InvalidRecord {
        return pair(prompt, List.of(ChatMessage.assistant(chosen)), List.of(ChatMessage.assistant(rejected)), record,
                source);
    }

    /** A pair with the record's optional {@code preference}, margin and {@code condition}. */
    static PreferencePair pair(List<ChatMessage> prompt, List<ChatMessage> chosen, List<ChatMessage> rejected,
            JsonNode record, String source) throws InvalidRecord {
        if (chosen.equals(rejected)) {
            throw new InvalidRecord("\"chosen\" and \"rejected\" are the same " + (chosen.size() == 1 ? "text" : "turns")
                    + "; a pair needs two different responses");
        }
        return new PreferencePair(prompt, chosen, rejected, preference(record), margin(record), condition(record),
                source);
    }

    private static String preference(JsonNode record) throws InvalidRecord {
        JsonNode value = record.get("preference");
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new InvalidRecord("\"preference\" is " + JsonFields.article(value) + "; expected one of "
                    + PreferenceDegree.names());
        }
        try {
            return PreferenceDegree.fromName(value.asText()).configName();
        } catch (IllegalArgumentException e) {
            throw new InvalidRecord(e.getMessage());
        }
    }

    /** {@code margin}, else {@code score_chosen - score_rejected}, else null. */
    private static Double margin(JsonNode record) throws InvalidRecord {
        Double margin = number(record, "margin");
        Double scoreChosen = number(record, "score_chosen");
        Double scoreRejected = number(record, "score_rejected");
        if (margin != null || (scoreChosen == null && scoreRejected == null)) {
            return margin;
        }
        if (scoreChosen == null || scoreRejected == null) {
            throw new InvalidRecord("has \"" + (scoreChosen == null ? "score_rejected" : "score_chosen") + "\" but no \""
                    + (scoreChosen == null ? "score_chosen" : "score_rejected") + "\"; expected both scores or neither");
        }
        if (scoreChosen < scoreRejected) {
            throw new InvalidRecord("\"score_chosen\" " + scoreChosen + " is lower than \"score_rejected\" "
                    + scoreRejected + "; expected the chosen response to score at least as high");
        }
        return scoreChosen - scoreRejected;
    }

    private static Double number(JsonNode record, String key) throws InvalidRecord {
        JsonNode value = record.get(key);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isNumber() || !Double.isFinite(value.asDouble())) {
            throw new InvalidRecord("\"" + key + "\" is " + (value.isNumber() ? "not finite" : JsonFields.article(value))
                    + "; expected a finite number");
        }
        return value.asDouble();
    }

    /** The record's {@code condition}: a name from the config's conditions table or a system prompt. */
    public static String condition(JsonNode record) throws InvalidRecord {
        JsonNode value = record.get("condition");
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual() || value.asText().isBlank()) {
            throw new InvalidRecord("\"condition\" is " + (value.isTextual() ? "blank" : JsonFields.article(value))
                    + "; expected a condition name from the config's conditions table, or a system prompt");
        }
        return value.asText();
    }
}
