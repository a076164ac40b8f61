package org.rlhf4j.core.model;

import ai.djl.ndarray.NDArray;
import org.rlhf4j.core.lora.LoraAdapter;

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

    /** {@link #apply(NDArray, NDArray, NDArray)} plus the LoRA {@code adapter}'s update, if any (null: none). */
    static NDArray apply(NDArray x, NDArray weight, NDArray bias, LoraAdapter adapter) {
        NDArray y = apply(x, weight, bias);
        if (adapter == null) {
            return y;
        }
        NDArray sum = adapter.addTo(y, x);
        if (sum != y) {
            // Only the sum is used from here on. DJL keeps every handle alive until its manager closes,
            // so without this the base output would stay resident until the step ends; autograd keeps
            // what it needs by itself (closing torch-created intermediates is safe, DJL-NOTES).
            y.close();
        }
        return sum;
    }
}
