package org.rlhf4j.bench;

import java.util.Arrays;

/**
 * Order statistics of a series of timings in milliseconds.
 *
 * <p>Percentiles interpolate linearly between the two nearest ranks (NumPy's default), so with 20
 * samples p10 lies between the 2nd and 3rd fastest and p90 between the 18th and 19th.
 */
public record Summary(double median, double p10, double p90, double mean, double min, double max) {

    /** The summary of {@code samples} (at least one). */
    public static Summary of(double[] samples) {
        if (samples.length == 0) {
            throw new IllegalArgumentException("no samples");
        }
        double[] sorted = samples.clone();
        Arrays.sort(sorted);
        double mean = Arrays.stream(sorted).average().orElseThrow();
        return new Summary(percentile(sorted, 50), percentile(sorted, 10), percentile(sorted, 90), mean,
                sorted[0], sorted[sorted.length - 1]);
    }

    private static double percentile(double[] sorted, double percent) {
        double rank = percent / 100.0 * (sorted.length - 1);
        int below = (int) Math.floor(rank);
        int above = Math.min(below + 1, sorted.length - 1);
        return sorted[below] + (rank - below) * (sorted[above] - sorted[below]);
    }
}
