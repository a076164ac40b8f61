package org.rlhf4j.dpo;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Running means of the per-pair DPO statistics over a logging window or an evaluation pass,
 * under TRL's names: {@code rewards/chosen}, {@code rewards/rejected}, {@code rewards/accuracies}
 * (share of pairs whose chosen reward is strictly higher), {@code rewards/margins},
 * {@code logps/chosen}, {@code logps/rejected} (the policy's, summed over response tokens; per
 * token for IPO, SimPO and ORPO); for ORPO also TRL's {@code log_odds_chosen} (the mean log odds
 * ratio {@code L}) and {@code log_odds_ratio} (the mean {@code logsig(L)}), computed here in
 * double precision from the per-token averages.
 */
final class PairMetrics {

    private final boolean logOdds;
    private double logOddsSum;
    private double logSigmoidSum;

    /** The statistics of {@code type}'s runs. */
    PairMetrics(DpoLoss.Type type) {
        this.logOdds = type == DpoLoss.Type.ORPO;
    }

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
            if (logOdds) {
                double l = logOdds(policyChosen[i]) - logOdds(policyRejected[i]);
                logOddsSum += l;
                logSigmoidSum += -Math.log1p(Math.exp(-Math.abs(l))) + Math.min(l, 0);
            }
        }
        pairs += chosenRewards.length;
    }

    /** {@code a - log(1 - exp(a))} with the loss's clamp ({@link DpoLoss#MAX_AVERAGE_LOGP}). */
    private static double logOdds(double averageLogp) {
        double a = Math.min(averageLogp, DpoLoss.MAX_AVERAGE_LOGP);
        return a - Math.log(-Math.expm1(a));
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
        if (logOdds) {
            out.put(prefix + "log_odds_ratio", logSigmoidSum / n);
            out.put(prefix + "log_odds_chosen", logOddsSum / n);
        }
        chosenReward = rejectedReward = accurate = margin = chosenLogps = rejectedLogps = 0;
        logOddsSum = logSigmoidSum = 0;
        pairs = 0;
        return out;
    }
}
