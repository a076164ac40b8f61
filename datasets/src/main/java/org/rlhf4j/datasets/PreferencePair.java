package org.rlhf4j.datasets;

import java.util.List;
import java.util.Objects;

/**
 * One comparison read from a preference file: a conversation prefix and two responses, the
 * chosen one preferred by the annotator.
 *
 * @param prompt the conversation before the response (user turn, optionally system and earlier
 *     turns); never contains the responses
 * @param chosen the preferred response
 * @param rejected the other response
 * @param preference how strongly chosen was preferred ({@code significantly_better}, {@code better},
 *     {@code slightly_better}, {@code negligibly_better}) or null
 * @param margin an explicit margin for the ranking loss, or null
 * @param condition the preference being judged (COOL RLHF conditional reward models), or null
 * @param source where the pair was read, {@code FILE:LINE}, for error messages
 */
public record PreferencePair(
        List<ChatMessage> prompt,
        String chosen,
        String rejected,
        String preference,
        Double margin,
        String condition,
        String source) {

    public PreferencePair {
        prompt = List.copyOf(prompt);
        Objects.requireNonNull(chosen, "chosen");
        Objects.requireNonNull(rejected, "rejected");
    }
}
