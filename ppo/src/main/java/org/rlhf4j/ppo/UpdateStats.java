package org.rlhf4j.ppo;

import org.rlhf4j.core.optim.OptimizerStep;

/**
 * What one update phase did: the means over its minibatch steps, and the last step's optimizer
 * numbers. Each field names the metric it is logged as.
 *
 * @param policyLoss {@code loss/policy}, the clipped surrogate loss
 * @param valueLoss {@code loss/value}, the clipped value loss
 * @param policyClipfrac {@code policy/clipfrac}
 * @param valueClipfrac {@code val/clipfrac}
 * @param approxKl {@code policy/approxkl}, {@code 0.5 * mean((logp - logp_old)^2)}
 * @param entropy {@code policy/entropy}, the mean per-token entropy
 * @param logprobMismatch {@code policy/logprob_mismatch}: mean {@code |log pi - log pi_old|} at the
 *     first forward, before any update of the batch (0 up to float noise: same model code, no dropout)
 * @param epochs {@code ppo/epochs}, fewer than {@code ppo_epochs} after an early stop
 * @param learningRate {@code learning_rate}, the actor's at the last step
 * @param actorGradNorm {@code grad_norm/actor} at the last step, before clipping
 * @param criticGradNorm {@code grad_norm/critic} at the last step, before clipping (NaN without a critic)
 * @param clipLow {@code clip_ratio/low_mean}: share of tokens whose ratio fell below {@code 1 - clip_low}, A &lt; 0
 * @param clipHigh {@code clip_ratio/high_mean}: share of tokens whose ratio rose above {@code 1 + clip_high}, A &gt; 0
 * @param ptxLoss {@code ptx_loss}: PPO-ptx's LM loss on the pretraining batches, before {@code ptx_coef} (NaN without)
 */
record UpdateStats(double policyLoss, double valueLoss, double policyClipfrac, double valueClipfrac, double approxKl,
        double entropy, double logprobMismatch, int epochs, double learningRate, double actorGradNorm,
        double criticGradNorm, double clipLow, double clipHigh, double ptxLoss) {

    /**
     * One minibatch step's scalars, read from the graph once its backward ran.
     *
     * @param logprobMismatch NaN except on the phase's first step
     * @param valueLoss NaN without a critic, and so {@code valueClipfrac}
     * @param ptxLoss NaN without PPO-ptx
     */
    record Step(double policyLoss, double valueLoss, double policyClipfrac, double valueClipfrac, double approxKl,
            double entropy, double logprobMismatch, double clipLow, double clipHigh, double ptxLoss) {

        static Step of(Minibatch.Losses losses, double logprobMismatch, double ptxLoss) {
            PpoLoss.PolicyResult pg = losses.policy();
            PpoLoss.ValueResult vf = losses.value();
            return new Step(pg.loss().getFloat(), vf == null ? Double.NaN : vf.loss().getFloat(),
                    pg.clipFraction().getFloat(), vf == null ? Double.NaN : vf.clipFraction().getFloat(),
                    pg.approxKl().getFloat(), losses.entropy().getFloat(), logprobMismatch, pg.clipLow().getFloat(),
                    pg.clipHigh().getFloat(), ptxLoss);
        }
    }

    /** The running sums of one update phase's steps. */
    static final class Sum {
        private double policyLoss;
        private double valueLoss;
        private double policyClipfrac;
        private double valueClipfrac;
        private double approxKl;
        private double entropy;
        private double clipLow;
        private double clipHigh;
        private double ptxLoss;
        private double logprobMismatch = Double.NaN;
        private int steps;
        private OptimizerStep.Result actor = new OptimizerStep.Result(0, 0, false);
        private OptimizerStep.Result critic = new OptimizerStep.Result(Double.NaN, 0, false);

        boolean isEmpty() {
            return steps == 0;
        }

        /** Adds one step; {@code criticStep} is null without a critic. */
        void add(Step step, OptimizerStep.Result actorStep, OptimizerStep.Result criticStep) {
            policyLoss += step.policyLoss();
            valueLoss += step.valueLoss();
            policyClipfrac += step.policyClipfrac();
            valueClipfrac += step.valueClipfrac();
            approxKl += step.approxKl();
            entropy += step.entropy();
            clipLow += step.clipLow();
            clipHigh += step.clipHigh();
            ptxLoss += step.ptxLoss();
            if (steps == 0) {
                logprobMismatch = step.logprobMismatch();
            }
            steps++;
            actor = actorStep;
            critic = criticStep != null ? criticStep : critic;
        }

        UpdateStats mean(int epochs) {
            double n = Math.max(1, steps);
            return new UpdateStats(policyLoss / n, valueLoss / n, policyClipfrac / n, valueClipfrac / n, approxKl / n,
                    entropy / n, logprobMismatch, epochs, actor.learningRate(), actor.gradNorm(), critic.gradNorm(),
                    clipLow / n, clipHigh / n, ptxLoss / n);
        }
    }
}
