package org.rlhf4j.core.rollout;

import java.util.List;
import org.rlhf4j.core.config.UserException;

/**
 * What ends a row before {@code max_new_tokens}. The id that ends a row is kept as the row's last
 * response token (it is in the response mask, so PPO learns to stop); a stop string is matched
 * in the response decoded with special tokens as text, and the response text is cut before it.
 *
 * @param eosIds ids that end a row with {@link FinishReason#EOS}
 * @param stopIds further ids that end a row with {@link FinishReason#STOP}
 * @param stopStrings texts that end a row with {@link FinishReason#STOP} once the response contains them
 */
public record StopCriteria(int[] eosIds, int[] stopIds, List<String> stopStrings) {

    public StopCriteria {
        eosIds = eosIds.clone();
        stopIds = stopIds.clone();
        stopStrings = List.copyOf(stopStrings);
        for (String s : stopStrings) {
            if (s.isEmpty()) {
                throw new UserException("--stop: a stop string must not be empty");
            }
        }
    }

    /** Stop at any of {@code eosIds} only. */
    public static StopCriteria eos(int... eosIds) {
        return new StopCriteria(eosIds, new int[0], List.of());
    }

    /** The reason {@code id} ends a row, or null if it does not. */
    FinishReason reasonFor(int id) {
        for (int e : eosIds) {
            if (e == id) {
                return FinishReason.EOS;
            }
        }
        for (int s : stopIds) {
            if (s == id) {
                return FinishReason.STOP;
            }
        }
        return null;
    }

    /** Whether {@code text} holds a stop string that ends within its last {@code tailLength} chars. */
    boolean matchesStopString(StringBuilder text, int tailLength) {
        for (String s : stopStrings) {
            int from = Math.max(0, text.length() - tailLength - s.length() + 1);
            if (text.indexOf(s, from) >= 0) {
                return true;
            }
        }
        return false;
    }

    /** {@code text} up to the earliest stop string in it, or all of it. */
    String cutAtStopString(String text) {
        int cut = text.length();
        for (String s : stopStrings) {
            int at = text.indexOf(s);
            if (at >= 0) {
                cut = Math.min(cut, at);
            }
        }
        return text.substring(0, cut);
    }
}
