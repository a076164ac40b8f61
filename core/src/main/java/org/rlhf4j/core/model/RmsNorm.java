package org.rlhf4j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * Root-mean-square layer normalisation as in transformers' {@code LlamaRMSNorm}:
 * {@code w * (x * rsqrt(mean(x^2) + eps))} over the last axis.
 *
 * <p>DJL has no RMSNorm (nor rsqrt), so it is composed; the statistics are always taken in
 * float32 and the normalised value is cast back to the input dtype before the gain is applied,
 * which is the order transformers uses.
 */
public final class RmsNorm {

    private static final int[] LAST_AXIS = {-1};

    private RmsNorm() {}

    /**
     * Normalises {@code x} (..., D) over its last axis and scales it by {@code weight} (D).
     * Only {@code add(Number)} touches a Java number, which is safe inside an autograd graph.
     */
    public static NDArray apply(NDArray x, NDArray weight, double eps) {
        return normalise(x, eps).mul(weight);
    }

    /**
     * {@code x * rsqrt(mean(x^2) + eps)} over the last axis, in {@code x}'s dtype, without the gain:
     * for a caller that has folded the gain into the next projection's weight.
     */
    public static NDArray normalise(NDArray x, double eps) {
        DataType dtype = x.getDataType();
        NDArray x32 = x.toType(DataType.FLOAT32, false); // (..., D)
        NDArray rms = x32.square().mean(LAST_AXIS, true).add(eps).sqrt(); // (..., 1)
        return x32.div(rms).toType(dtype, false); // (..., D)
    }
}
