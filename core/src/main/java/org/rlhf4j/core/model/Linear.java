package org.rlhf4j.core.model;

import ai.djl.Device;
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
 * float32 activations, and the projection returns float32 so that norms, softmaxes, the adapters and
 * the losses stay float32. Where it computes depends on the device:
 * <ul>
 *   <li>On a GPU it computes in the weight's dtype. DJL's {@code toType} records no autograd edge
 *       (measured: {@code x.toType(FLOAT16)} of an array that requires a gradient has no grad_fn), so
 *       under autograd the input is narrowed by a copy into a half buffer ({@code index_put}, which
 *       libtorch differentiates) and the output widened by adding a float32 zero (type promotion).
 *   <li>On the CPU it widens the frozen weight for the call and computes in float32: libtorch 2.7.1's
 *       CPU float16 {@code linear} measured 3-4x slower than float32 forward and 200-300x slower
 *       backward (2x128x1024 by 3072x1024: 4.5-7.6 s against 21 ms), while the widening costs a
 *       cast. The base's memory still halves at rest and in every pass without a graph (rollouts,
 *       reference, values); under autograd the widened copy stays alive until the backward, one
 *       layer's at a time with {@code train.gradient_checkpointing}. {@value #CPU_HALF_MATMUL}{@code
 *       =true} computes in float16 on the CPU too (tests of the GPU path).
 * </ul>
 */
final class Linear {

    private static final NDIndex ALL = new NDIndex("...");

    private Linear() {}

    /** A system property: compute frozen float16 projections in float16 on the CPU as well (slow; tests). */
    static final String CPU_HALF_MATMUL = "rlhf4j.cpu_half_matmul";

    /** {@code x} (..., in), {@code weight} (out, in), {@code bias} (out) or null -> (..., out). */
    static NDArray apply(NDArray x, NDArray weight, NDArray bias) {
        if (weight.getDataType() == x.getDataType()) {
            return x.getNDArrayInternal().linear(x, weight, bias).singletonOrThrow();
        }
        boolean cpu = x.getDevice().getDeviceType().equals(Device.Type.CPU);
        return cpu && !Boolean.getBoolean(CPU_HALF_MATMUL) ? widened(x, weight, bias) : narrowed(x, weight, bias);
    }

    /** In {@code x}'s dtype with the weight (and bias) widened for this call; no gradient needed through the cast. */
    private static NDArray widened(NDArray x, NDArray weight, NDArray bias) {
        NDArray w = weight.toType(x.getDataType(), false);
        NDArray b = bias == null ? null : bias.toType(x.getDataType(), false);
        w.attach(x.getManager()); // owned by the call, not by the weights' long-lived manager
        if (b != null) {
            b.attach(x.getManager());
        }
        NDArray y = x.getNDArrayInternal().linear(x, w, b).singletonOrThrow();
        w.close(); // autograd keeps the widened weight until the backward if it needs it
        if (b != null) {
            b.close();
        }
        return y;
    }

    /** In the weight's dtype, the input narrowed and the output widened back to {@code x}'s dtype. */
    private static NDArray narrowed(NDArray x, NDArray weight, NDArray bias) {
        DataType narrow = weight.getDataType();
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
