package org.rlhf4j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import org.rlhf4j.core.lora.LoraAdapter;

/**
 * A dense projection with transformers' weight layout ({@code [out, in]}): {@code x W^T + b}.
 *
 * <p>Uses libtorch's fused {@code linear} with the activation as the receiver, so the result
 * belongs to the activation's (per-call) manager rather than the weight's long-lived one; a
 * {@code W.transpose()} would leak into the weight's manager on every call.
 *
 * <p>A frozen base held in half precision ({@code lora.base_dtype}) has weights narrower than the
 * float32 activations: the projection then computes in the weight's dtype and returns float32, so
 * that norms, softmaxes, the adapters and the losses stay float32. DJL's {@code toType} records no
 * autograd edge (measured: {@code x.toType(FLOAT16)} of an array that requires a gradient has no
 * grad_fn), so under autograd the input is narrowed by a copy into a half buffer ({@code index_put},
 * which libtorch differentiates) and the output widened by adding a float32 zero, which type
 * promotion turns into float32 with the gradient passed through.
 */
final class Linear {

    private static final NDIndex ALL = new NDIndex("...");

    private Linear() {}

    /** {@code x} (..., in), {@code weight} (out, in), {@code bias} (out) or null -> (..., out). */
    static NDArray apply(NDArray x, NDArray weight, NDArray bias) {
        DataType narrow = weight.getDataType();
        if (narrow == x.getDataType()) {
            return x.getNDArrayInternal().linear(x, weight, bias).singletonOrThrow();
        }
        NDManager manager = x.getManager();
        boolean graph = JniUtils.isGradMode();
        NDArray in;
        if (graph) {
            in = manager.zeros(x.getShape(), narrow);
            in.set(ALL, x); // (..., in) narrowed, in the graph
        } else {
            in = x.toType(narrow, false);
        }
        NDArray y = in.getNDArrayInternal().linear(in, weight, bias).singletonOrThrow(); // (..., out), narrow
        NDArray out;
        if (graph) {
            NDArray zero = manager.zeros(new Shape(1), x.getDataType());
            out = y.add(zero); // (..., out), float32
            zero.close();
        } else {
            out = y.toType(x.getDataType(), false);
        }
        // torch-created intermediates: autograd keeps what it needs, DJL's handles can go now (DJL-NOTES)
        y.close();
        in.close();
        return out;
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
