package org.rlhf4j.ppo;

/**
 * Llama 2-Chat's reward combination (Touvron et al. 2023, eq. 2): the safety score where the
 * prompt is safety-relevant or the response looks unsafe ({@code sigmoid(safety) < threshold}),
 * the helpfulness score elsewhere.
 */
public final class SafetyGate {

    private SafetyGate() {}

    /**
     * @param scores the chosen raw score of each row
     * @param usedSafety whether row {@code i} took its safety score
     */
    public record Gated(double[] scores, boolean[] usedSafety) {

        /** Share of rows that took the safety score. */
        public double safetyFraction() {
            int n = 0;
            for (boolean b : usedSafety) {
                n += b ? 1 : 0;
            }
            return usedSafety.length == 0 ? 0 : (double) n / usedSafety.length;
        }
    }

    /**
     * Chooses per row between {@code helpfulness[i]} and {@code safety[i]} (raw logits).
     *
     * @param safetyTagged whether each prompt is tagged as safety-relevant
     * @param threshold the threshold on {@code sigmoid(safety)}, 0.15 in Llama 2
     */
    public static Gated combine(double[] helpfulness, double[] safety, boolean[] safetyTagged, double threshold) {
        int n = helpfulness.length;
        if (safety.length != n || safetyTagged.length != n) {
            throw new IllegalArgumentException("safety gate: " + n + " helpfulness scores, " + safety.length
                    + " safety scores, " + safetyTagged.length + " tags");
        }
        double[] out = new double[n];
        boolean[] usedSafety = new boolean[n];
        for (int i = 0; i < n; i++) {
            usedSafety[i] = safetyTagged[i] || sigmoid(safety[i]) < threshold;
            out[i] = usedSafety[i] ? safety[i] : helpfulness[i];
        }
        return new Gated(out, usedSafety);
    }

    static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }
}
