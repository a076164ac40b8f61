package org.rlhf4j.core.generate;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks a token from one row of next-token logits: greedy, or temperature / top-k / top-p
 * sampling with a seeded generator. Works on a Java array because one row of a vocabulary is
 * small next to the forward pass that produced it.
 */
public final class TokenSampler {

    private final SamplingParams params;
    private final SplittableRandom random;

    public TokenSampler(SamplingParams params) {
        this.params = params;
        this.random = new SplittableRandom(params.seed());
    }

    /** The next token id for {@code logits} (V). */
    public int next(float[] logits) {
        if (params.isGreedy()) {
            return argmax(logits);
        }
        int v = logits.length;
        double[] p = new double[v];
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        Integer[] order = new Integer[v];
        double total = 0;
        for (int i = 0; i < v; i++) {
            p[i] = Math.exp((logits[i] - max) / params.temperature());
            total += p[i];
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(p[b], p[a]));
        int keep = params.topK() > 0 ? Math.min(params.topK(), v) : v;
        if (params.topP() < 1) {
            double mass = 0;
            for (int i = 0; i < keep; i++) {
                mass += p[order[i]] / total;
                if (mass >= params.topP()) {
                    keep = i + 1;
                    break;
                }
            }
        }
        double kept = 0;
        for (int i = 0; i < keep; i++) {
            kept += p[order[i]];
        }
        double u = random.nextDouble() * kept;
        for (int i = 0; i < keep; i++) {
            u -= p[order[i]];
            if (u <= 0) {
                return order[i];
            }
        }
        return order[keep - 1];
    }

    static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }
}
