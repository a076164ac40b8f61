package org.rlhf4j.core.training;

import static org.rlhf4j.core.config.ConfigChecks.atLeast;

import org.rlhf4j.core.config.ConfigException;

/**
 * {@code train.max_loss_spike}: stop the run as diverged when the training loss stays above
 * {@code factor} times its running median for {@code steps} optimizer steps in a row. Off unless
 * the section is given; every key has a default, so {@code max_loss_spike: {}} turns it on.
 *
 * <p>The median is over the last {@code window} finite losses that were not spikes themselves (so
 * a spike does not raise its own bar), and the rule waits until it has {@code min(window, 10)} of
 * them. It compares ratios, so it is meant for losses that stay positive (SFT, pretraining, reward
 * models, DPO); PPO's minibatch losses change sign and are not checked by it.
 *
 * @param factor how many times the running median counts as a spike (default 10, must be > 1)
 * @param steps consecutive spiking steps that stop the run (default 20)
 * @param window losses in the running median (default 100)
 */
public record LossSpikeRule(Double factor, Integer steps, Integer window) {

    /** Losses the median needs before the rule applies, at most the window. */
    static final int MIN_HISTORY = 10;

    public LossSpikeRule {
        factor = factor == null ? 10.0 : factor;
        if (!(factor > 1) || factor.isInfinite()) {
            throw new ConfigException("train.max_loss_spike.factor must be finite and > 1, got " + factor);
        }
        steps = atLeast("train.max_loss_spike.steps", steps, 20, 1);
        window = atLeast("train.max_loss_spike.window", window, 100, 2);
    }

    /** Losses the running median needs before a step can count as a spike. */
    int minHistory() {
        return Math.min(window, MIN_HISTORY);
    }
}
