package org.rlhf4j.datasets;

import java.util.List;

/**
 * A conversation rendered by a {@link ChatTemplate}, with the character spans that are loss targets.
 *
 * @param text the rendered conversation
 * @param lossSpans character spans of {@code text} in the loss, ascending and not overlapping
 */
public record RenderedConversation(String text, List<CharSpan> lossSpans) {

    public RenderedConversation {
        lossSpans = List.copyOf(lossSpans);
        int previousEnd = 0;
        for (CharSpan span : lossSpans) {
            if (span.start() < previousEnd || span.end() > text.length()) {
                throw new IllegalArgumentException("loss spans must be ascending, disjoint and inside the text: "
                        + lossSpans + " in " + text.length() + " characters");
            }
            previousEnd = span.end();
        }
    }

    /** A half-open character range {@code [start, end)}. */
    public record CharSpan(int start, int end) {
        public CharSpan {
            if (start < 0 || end < start) {
                throw new IllegalArgumentException("bad span [" + start + ", " + end + ")");
            }
        }
    }
}
