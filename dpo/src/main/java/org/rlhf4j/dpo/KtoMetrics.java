package org.rlhf4j.dpo;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Running means of KTO's statistics over a logging window or an evaluation pass, under TRL's
 * names: {@code rewards/chosen} and {@code logps/chosen} over the desirable examples,
 * {@code rewards/rejected} and {@code logps/rejected} over the undesirable ones (each left out
 * when the window had none), {@code rewards/margins} (their difference, when both are there) and
 * {@code kl} (the mean reference point z0 of the window's steps or batches).
 */
final class KtoMetrics {

    private final double[] rewardSum = new double[2]; // [undesirable, desirable]
    private final double[] logpsSum = new double[2];
    private final long[] count = new long[2];
    private double klSum;
    private long klCount;

    /** Adds one micro-batch's per-example rewards and summed log-probs. */
    void add(float[] rewards, float[] logps, boolean[] desirable) {
        for (int i = 0; i < rewards.length; i++) {
            int side = desirable[i] ? 1 : 0;
            rewardSum[side] += rewards[i];
            logpsSum[side] += logps[i];
            count[side]++;
        }
    }

    /** Adds one reference point z0. */
    void addKl(double z0) {
        klSum += z0;
        klCount++;
    }

    /** The means, each key prefixed with {@code prefix} ("" or "eval_"), then reset. */
    Map<String, Double> drain(String prefix) {
        Map<String, Double> out = new LinkedHashMap<>();
        String[] names = {"rejected", "chosen"};
        for (int side = 1; side >= 0; side--) {
            if (count[side] > 0) {
                out.put(prefix + "rewards/" + names[side], rewardSum[side] / count[side]);
                out.put(prefix + "logps/" + names[side], logpsSum[side] / count[side]);
            }
        }
        if (count[0] > 0 && count[1] > 0) {
            out.put(prefix + "rewards/margins", rewardSum[1] / count[1] - rewardSum[0] / count[0]);
        }
        out.put(prefix + "kl", klSum / Math.max(1, klCount));
        java.util.Arrays.fill(rewardSum, 0);
        java.util.Arrays.fill(logpsSum, 0);
        java.util.Arrays.fill(count, 0);
        klSum = 0;
        klCount = 0;
        return out;
    }
}
