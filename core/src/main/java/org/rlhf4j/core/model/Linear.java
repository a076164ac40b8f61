package org.rlhf4j.core.model;

import ai.djl.ndarray.NDArray;

/**
 * A dense projection with transformers' weight layout ({@code [out, in]}): {@code x W^T + b}.
 *
 * <p>Uses libtorch's fused {@code linear} with the activation as the receiver, so the result
 * belongs to the activation's (per-call) manager rather than the weight's long-lived one; a
 * {@code W.transpose()} would leak into the weight's manager on every call.
 */
final class Linear {

    private Linear() {}

    /** {@code x} (..., in), {@code weight} (out, in), {@code bias} (out) or null -> (..., out). */
    static NDArray apply(NDArray x, NDArray weight, NDArray bias) {
        return x.getNDArrayInternal().linear(x, weight, bias).singletonOrThrow();
    }
}
