package org.rlhf4j.core.stats;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.apache.commons.math3.distribution.TDistribution;
import org.apache.commons.math3.stat.interval.ConfidenceInterval;
import org.apache.commons.math3.stat.interval.WilsonScoreInterval;

/**
 * A point estimate with a 95% confidence interval {@code [low, high]}; all NaN when there was no
 * observation.
 *
 * @param value the estimate (a proportion or a mean)
 * @param low lower end of the 95% interval
 * @param high upper end of the 95% interval
 * @param n observations it rests on
 */
public record Estimate(double value, double low, double high, int n) {

    /**
     * A proportion {@code successes / n} with its Wilson score interval (Wilson 1927), which stays
     * inside [0, 1] and is sensible at 0 and n successes, unlike the normal approximation.
     */
    public static Estimate wilson(int successes, int n) {
        if (successes < 0 || successes > n) {
            throw new IllegalArgumentException(successes + " successes out of " + n);
        }
        if (n == 0) {
            return new Estimate(Double.NaN, Double.NaN, Double.NaN, 0);
        }
        ConfidenceInterval interval = new WilsonScoreInterval().createInterval(n, successes, 0.95);
        // the ends can miss 0 or 1 by rounding (1e-17 at 0 successes)
        return new Estimate(successes / (double) n, Math.max(0, interval.getLowerBound()),
                Math.min(1, interval.getUpperBound()), n);
    }

    /**
     * The mean of {@code values} with a percentile bootstrap interval: the 2.5% and 97.5% quantiles
     * of the means of {@code resamples} resamples with replacement, drawn with {@code seed}.
     */
    public static Estimate bootstrapMean(double[] values, int resamples, long seed) {
        int n = values.length;
        if (n == 0) {
            return new Estimate(Double.NaN, Double.NaN, Double.NaN, 0);
        }
        double mean = Arrays.stream(values).average().orElseThrow();
        SplittableRandom rng = new SplittableRandom(seed);
        double[] means = new double[resamples];
        for (int r = 0; r < resamples; r++) {
            double sum = 0;
            for (int i = 0; i < n; i++) {
                sum += values[rng.nextInt(n)];
            }
            means[r] = sum / n;
        }
        Arrays.sort(means);
        double low = Math.min(mean, quantile(means, 0.025));
        double high = Math.max(mean, quantile(means, 0.975));
        return new Estimate(mean, low, high, n);
    }

    /**
     * The mean of {@code values} with Student's t interval {@code mean +- t(0.975, n - 1) * sd / sqrt(n)}
     * (sd the sample standard deviation): the interval for a mean of a few roughly normal values, such
     * as one paired difference per seed. One value has no spread to estimate: its interval is NaN. Values
     * that all tie give the zero-width interval at their value.
     */
    public static Estimate studentMean(double[] values) {
        int n = values.length;
        if (n == 0) {
            return new Estimate(Double.NaN, Double.NaN, Double.NaN, 0);
        }
        double mean = Arrays.stream(values).average().orElseThrow();
        if (n == 1) {
            return new Estimate(mean, Double.NaN, Double.NaN, 1);
        }
        double squares = Arrays.stream(values).map(v -> (v - mean) * (v - mean)).sum();
        double halfWidth = tQuantile975(n - 1) * Math.sqrt(squares / (n - 1) / n);
        return new Estimate(mean, mean - halfWidth, mean + halfWidth, n);
    }

    /** The 97.5% quantile of Student's t with {@code df} degrees of freedom (12.706 at 1, 4.303 at 2). */
    static double tQuantile975(int df) {
        return new TDistribution(null, df).inverseCumulativeProbability(0.975);
    }

    /** Linear interpolation between order statistics of sorted {@code values} (type 7, R's default). */
    static double quantile(double[] sorted, double q) {
        double h = (sorted.length - 1) * q;
        int lo = (int) Math.floor(h);
        int hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }
}
