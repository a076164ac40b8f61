package org.rlhf4j.core.optim;

/**
 * The fixed hyperparameters of {@link AdamW}; the learning rate is not here because it changes
 * every step (see {@link LearningRateSchedule}).
 *
 * @param beta1 decay of the first moment (PyTorch default 0.9)
 * @param beta2 decay of the second moment (PyTorch default 0.999)
 * @param eps added to the bias-corrected {@code sqrt(v)} (PyTorch default 1e-8)
 * @param weightDecay decoupled weight decay ({@code train.weight_decay}); applied only to
 *     parameters that {@link org.rlhf4j.core.model.WeightLayout#isNoDecay} does not exempt
 */
public record AdamWConfig(double beta1, double beta2, double eps, double weightDecay) {

    public AdamWConfig {
        if (!(beta1 >= 0 && beta1 < 1)) {
            throw new IllegalArgumentException("AdamW beta1 must be in [0, 1), got " + beta1);
        }
        if (!(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("AdamW beta2 must be in [0, 1), got " + beta2);
        }
        if (!(eps >= 0)) {
            throw new IllegalArgumentException("AdamW eps must be >= 0, got " + eps);
        }
        if (!(weightDecay >= 0)) {
            throw new IllegalArgumentException("train.weight_decay must be >= 0, got " + weightDecay);
        }
    }

    /** PyTorch's and TRL's betas (0.9, 0.999) and eps 1e-8 with the given weight decay. */
    public static AdamWConfig withWeightDecay(double weightDecay) {
        return new AdamWConfig(0.9, 0.999, 1e-8, weightDecay);
    }
}
