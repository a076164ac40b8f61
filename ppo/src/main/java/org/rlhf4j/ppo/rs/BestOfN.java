package org.rlhf4j.ppo.rs;

/** Which of a prompt's N candidates rejection sampling keeps, and which one a pair rejects. */
final class BestOfN {

    private BestOfN() {}

    /** The index of the highest of {@code scores[from, from + n)}, relative to {@code from}; the first on ties. */
    static int best(double[] scores, int from, int n) {
        int best = 0;
        for (int k = 1; k < n; k++) {
            if (scores[from + k] > scores[from + best]) {
                best = k;
            }
        }
        return best;
    }

    /** The index of the lowest of {@code scores[from, from + n)}, relative to {@code from}; the first on ties. */
    static int worst(double[] scores, int from, int n) {
        int worst = 0;
        for (int k = 1; k < n; k++) {
            if (scores[from + k] < scores[from + worst]) {
                worst = k;
            }
        }
        return worst;
    }
}
