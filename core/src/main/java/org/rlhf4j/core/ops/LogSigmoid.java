package org.rlhf4j.core.ops;

import ai.djl.ndarray.NDArray;

/**
 * Numerically stable {@code log sigmoid(x)} and {@code -log sigmoid(x)}, element-wise, built from
 * ops that differentiate correctly in DJL (no {@code Number} overloads of mul/maximum/minimum).
 *
 * <p>Both use {@code log(1 + exp(-|x|))}, which never overflows, so {@code x = +-100} gives
 * {@code 0} and {@code -100} instead of NaN or infinity. They are two functions, not one negated,
 * because each keeps the exact op sequence of the loss it came from (DPO's and the reward
 * model's): the same ops in the same order give bit-identical values and gradients.
 */
public final class LogSigmoid {

    private LogSigmoid() {}

    /** {@code log sigmoid(x) = -(relu(-x) + log(1 + exp(-|x|)))}, same shape as {@code x}. */
    public static NDArray of(NDArray x) {
        NDArray relu = x.neg().maximum(Scalars.like(x, 0)); // like x
        NDArray softplusTail = x.abs().neg().exp().add(1).log(); // like x
        return relu.add(softplusTail).neg();
    }

    /** {@code -log sigmoid(x) = log(1 + exp(-|x|)) - min(x, 0)}, same shape as {@code x}. */
    public static NDArray negative(NDArray x) {
        NDArray zero = Scalars.like(x, 0); // ()
        return x.abs().neg().exp().add(1f).log().sub(x.minimum(zero));
    }
}
