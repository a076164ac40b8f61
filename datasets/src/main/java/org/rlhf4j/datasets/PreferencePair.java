package org.rlhf4j.datasets;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One comparison read from a preference file: a conversation prefix and two responses, the
 * chosen one preferred by the annotator.
 *
 * <p>A response is usually one assistant message. It may also be several turns that continue the
 * conversation (TRL's conversational pairs): an assistant tool call, the tool's result, the
 * assistant's final answer. Every assistant turn of a response is trained and scored, the tool
 * results between them are context, as in SFT.
 *
 * @param prompt the conversation before the response (user turn, optionally system and earlier
 *     turns); never contains the responses
 * @param chosen the preferred response: assistant (and tool) messages, starting and ending with an
 *     assistant message
 * @param rejected the other response, in the same shape
 * @param preference how strongly chosen was preferred ({@code significantly_better}, {@code better},
 *     {@code slightly_better}, {@code negligibly_better}) or null
 * @param margin an explicit margin for the ranking loss, or null
 * @param condition the preference being judged (COOL RLHF conditional reward models), or null
 * @param source where the pair was read, {@code FILE:LINE}, for error messages
 * @param tools the function schemas of the record's {@code tools} column for the chat template, or null
 */
public record PreferencePair(
        List<ChatMessage> prompt,
        List<ChatMessage> chosen,
        List<ChatMessage> rejected,
        String preference,
        Double margin,
        String condition,
        String source,
        List<Object> tools) {

    public PreferencePair {
        prompt = List.copyOf(prompt);
        chosen = response(chosen, "chosen");
        rejected = response(rejected, "rejected");
        tools = tools == null ? null : Collections.unmodifiableList(new ArrayList<>(tools)); // schemas may hold nulls
    }

    /** A pair without tools. */
    public PreferencePair(List<ChatMessage> prompt, List<ChatMessage> chosen, List<ChatMessage> rejected,
            String preference, Double margin, String condition, String source) {
        this(prompt, chosen, rejected, preference, margin, condition, source, null);
    }

    /** A pair whose responses are one assistant message each. */
    public PreferencePair(List<ChatMessage> prompt, String chosen, String rejected, String preference, Double margin,
            String condition, String source) {
        this(prompt, List.of(ChatMessage.assistant(chosen)), List.of(ChatMessage.assistant(rejected)), preference,
                margin, condition, source, null);
    }

    /** The chosen response's text: its last assistant message (the whole response when it is one message). */
    public String chosenText() {
        return chosen.get(chosen.size() - 1).content();
    }

    /** The rejected response's text: its last assistant message. */
    public String rejectedText() {
        return rejected.get(rejected.size() - 1).content();
    }

    /** Whether both responses are a single plain assistant message (the common case). */
    public boolean singleTurn() {
        return isPlainText(chosen) && isPlainText(rejected);
    }

    /** Whether a response is one assistant message with no structured fields. */
    public static boolean isPlainText(List<ChatMessage> response) {
        return response.size() == 1 && response.get(0).fields().isEmpty();
    }

    private static List<ChatMessage> response(List<ChatMessage> messages, String side) {
        if (messages.isEmpty() || !messages.get(0).role().equals("assistant")
                || !messages.get(messages.size() - 1).role().equals("assistant")) {
            throw new IllegalArgumentException(side + " must start and end with an assistant message: " + messages);
        }
        return List.copyOf(messages);
    }
}
