package org.rlhf4j.ppo;

/**
 * The KL coefficient {@code beta} of the per-token penalty: fixed, or adapted towards a target KL
 * as in Ziegler et al. 2019 (section 2.2) and TRL's {@code AdaptiveKLController}:
 * {@code e = clip(KL / target - 1, -0.2, 0.2)}, {@code beta *= 1 + e * n / horizon}, with
 * {@code KL} the batch's mean per-sequence KL and {@code n} the sequences in it.
 */
public final class KlController {

    private final Double target;
    private final int horizon;
    private double value;

    private KlController(double value, Double target, int horizon) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException("ppo.kl_coef must be finite and >= 0, got " + value);
        }
        if (target != null && !(target > 0)) {
            throw new IllegalArgumentException("ppo.kl_target must be > 0, got " + target);
        }
        if (horizon < 1) {
            throw new IllegalArgumentException("ppo.kl_horizon must be >= 1, got " + horizon);
        }
        this.value = value;
        this.target = target;
        this.horizon = horizon;
    }

    /** A coefficient that never changes. */
    public static KlController fixed(double value) {
        return new KlController(value, null, 1);
    }

    /** A coefficient starting at {@code initial} and adapted towards {@code target} over {@code horizon} sequences. */
    public static KlController adaptive(double initial, double target, int horizon) {
        return new KlController(initial, target, horizon);
    }

    /** The current {@code beta}. */
    public double value() {
        return value;
    }

    public boolean isAdaptive() {
        return target != null;
    }

    /** Folds in a batch of {@code sequences} whose mean per-sequence KL was {@code currentKl}; no-op when fixed. */
    public void update(double currentKl, int sequences) {
        if (target == null || !Double.isFinite(currentKl)) {
            return;
        }
        double error = Math.max(-0.2, Math.min(0.2, currentKl / target - 1));
        value *= 1 + error * sequences / horizon;
    }

    /** Restores the coefficient of a resumed run. */
    public void restore(double saved) {
        this.value = saved;
    }
}
