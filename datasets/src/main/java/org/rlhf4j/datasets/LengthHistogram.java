package org.rlhf4j.datasets;

import java.util.Arrays;
import java.util.Locale;

/**
 * Counts of lengths (in tokens) in power-of-two buckets, {@code [0, 16), [16, 32), [32, 64), ...},
 * printed as a text bar chart by {@code rlhf4j data inspect}.
 *
 * @param lowerEdges the lower edge of each bucket (0, 16, 32, ...)
 * @param counts how many lengths fall in each bucket
 */
public record LengthHistogram(int[] lowerEdges, int[] counts) {

    private static final int FIRST_EDGE = 16;
    private static final int BAR_WIDTH = 40;

    /** The histogram of {@code lengths}. */
    public static LengthHistogram of(int[] lengths) {
        int max = Arrays.stream(lengths).max().orElse(0);
        int buckets = 1;
        for (long edge = FIRST_EDGE; edge <= max; edge *= 2) {
            buckets++;
        }
        int[] edges = new int[buckets];
        for (int b = 1; b < buckets; b++) {
            edges[b] = FIRST_EDGE << (b - 1);
        }
        int[] counts = new int[buckets];
        for (int length : lengths) {
            int b = length < FIRST_EDGE ? 0 : 32 - Integer.numberOfLeadingZeros(length / FIRST_EDGE);
            counts[b]++;
        }
        return new LengthHistogram(edges, counts);
    }

    /** One line per bucket: {@code   [16, 32)   12 ########}, the longest bar {@value #BAR_WIDTH} characters. */
    public String render() {
        int most = Arrays.stream(counts).max().orElse(0);
        StringBuilder s = new StringBuilder();
        for (int b = 0; b < counts.length; b++) {
            String range = "[" + lowerEdges[b] + ", " + (b + 1 < counts.length ? lowerEdges[b + 1] : FIRST_EDGE
                    << b) + ")";
            int bar = most == 0 ? 0 : (int) Math.round((double) BAR_WIDTH * counts[b] / most);
            s.append(String.format(Locale.ROOT, "    %-14s %7d %s%n", range, counts[b], "#".repeat(bar)));
        }
        return s.toString();
    }
}
