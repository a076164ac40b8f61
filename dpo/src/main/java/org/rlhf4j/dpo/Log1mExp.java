package org.rlhf4j.dpo;

import ai.djl.ndarray.NDArray;
import org.rlhf4j.core.ops.Scalars;

/**
 * {@code log(1 - exp(x))} for {@code x < 0}, element-wise, accurate near 0 and differentiable
 * without branches.
 *
 * <p>DJL has neither {@code log1p} nor {@code expm1}, and {@code log(1 - exp(x))} written directly
 * loses every digit as {@code x -> 0} ({@code exp(-1e-6)} rounds to 0.999999 in float32, a 6%
 * error in {@code 1 - exp(x)}). With {@code t = tanh(x / 2)}, {@code 1 - exp(x) = -2t / (1 - t)}
 * exactly, and {@code tanh} keeps full relative precision for small arguments, so
 * {@code log(1 - exp(x)) = log(-2t) - log(1 - t)}. One formula for every {@code x}: unlike
 * TRL's {@code where} over two branches, no unselected branch can put {@code 0 * inf} into the
 * gradient. At {@code x = 0} the value is {@code -inf}: callers keep {@code x} below 0.
 */
final class Log1mExp {

    private Log1mExp() {}

    /** {@code log(1 - exp(x))}, same shape as {@code x}; {@code x} must be < 0. */
    static NDArray of(NDArray x) {
        NDArray t = x.mul(Scalars.like(x, 0.5)).tanh(); // like x, in (-1, 0)
        return t.mul(Scalars.like(t, -2)).log().sub(t.neg().add(1).log());
    }
}
