package org.rlhf4j.dpo;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Running means of the per-pair DPO statistics over a logging window or an evaluation pass,
 * under TRL's names: {@code rewards/chosen}, {@code rewards/rejected}, {@code rewards/accuracies}
 * (share of pairs whose chosen reward is strictly higher), {@code rewards/margins},
 * {@code logps/chosen}, {@code logps/rejected} (the policy's, summed over response tokens; per
 * token for IPO).
 */
final class PairMetrics {

    private double chosenReward;
    private double rejectedReward;
    private double accurate;
    private double margin;
    private double chosenLogps;
    private double rejectedLogps;
    private long pairs;

    /** Adds one micro-batch's per-pair values. */
    void add(float[] chosenRewards, float[] rejectedRewards, float[] policyChosen, float[] policyRejected) {
        for (int i = 0; i < chosenRewards.length; i++) {
            chosenReward += chosenRewards[i];
            rejectedReward += rejectedRewards[i];
            accurate += chosenRewards[i] > rejectedRewards[i] ? 1 : 0;
            margin += chosenRewards[i] - rejectedRewards[i];
            chosenLogps += policyChosen[i];
            rejectedLogps += policyRejected[i];
        }
        pairs += chosenRewards.length;
    }

    long pairs() {
        return pairs;
    }

    /** The means, each key prefixed with {@code prefix} ("" or "eval_"), then reset. */
    Map<String, Double> drain(String prefix) {
        double n = Math.max(1, pairs);
        Map<String, Double> out = new LinkedHashMap<>();
        out.put(prefix + "rewards/chosen", chosenReward / n);
        out.put(prefix + "rewards/rejected", rejectedReward / n);
        out.put(prefix + "rewards/accuracies", accurate / n);
        out.put(prefix + "rewards/margins", margin / n);
        out.put(prefix + "logps/chosen", chosenLogps / n);
        out.put(prefix + "logps/rejected", rejectedLogps / n);
        chosenReward = rejectedReward = accurate = margin = chosenLogps = rejectedLogps = 0;
        pairs = 0;
        return out;
    }
}
