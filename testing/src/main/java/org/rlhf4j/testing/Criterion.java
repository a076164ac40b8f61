package org.rlhf4j.testing;

/**
 * A figure that an end-to-end learning test asserts and the bound it must clear.
 *
 * @param figure the name under which a {@link LearningScenario} reports the figure
 * @param bound which side of {@code threshold} passes
 * @param threshold the bound itself
 */
public record Criterion(String figure, Bound bound, double threshold) {

    /** Which side of the threshold passes. */
    public enum Bound {
        /** {@code value >= threshold}. */
        AT_LEAST(">="),
        /** {@code value < threshold}. */
        BELOW("<");

        private final String symbol;

        Bound(String symbol) {
            this.symbol = symbol;
        }

        public String symbol() {
            return symbol;
        }
    }

    public static Criterion atLeast(String figure, double threshold) {
        return new Criterion(figure, Bound.AT_LEAST, threshold);
    }

    public static Criterion below(String figure, double threshold) {
        return new Criterion(figure, Bound.BELOW, threshold);
    }

    /** Whether {@code value} clears the bound; NaN never does. */
    public boolean holds(double value) {
        return switch (bound) {
            case AT_LEAST -> value >= threshold;
            case BELOW -> value < threshold;
        };
    }

    /** How far {@code value} clears the bound, in its own units (negative: fails). */
    public double slack(double value) {
        return bound == Bound.AT_LEAST ? value - threshold : threshold - value;
    }

    @Override
    public String toString() {
        return figure + " " + bound.symbol() + " " + threshold;
    }
}
