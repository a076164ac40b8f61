package org.rlhf4j.core.kernels;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.util.Collection;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * libtorch's {@code torch::nn::utils::clip_grad_norm_} on DJL parameters through {@link TorchBridge}:
 * the per-tensor norms, their norm and the in-place scaling in C++, without a JNI call per tensor.
 * {@code core.optim.GradientClipping} uses it when {@link #available} and keeps its DJL path
 * otherwise.
 */
public final class GlobalNormClip {

    private GlobalNormClip() {}

    /** Whether {@link #clip} applies: the bridge is active and every parameter is float32. */
    public static boolean available(Collection<NDArray> parameters) {
        if (!TorchBridge.active()) {
            return false;
        }
        for (NDArray p : parameters) {
            if (p.getDataType() != DataType.FLOAT32) {
                return false;
            }
        }
        return true;
    }

    /**
     * Scales the gradients of {@code parameters} (those without one are left out) by
     * {@code min(1, maxNorm / (norm + 1e-6))} in place and returns the global L2 norm before clipping;
     * {@code NaN} when that norm is not finite, in which case no gradient was touched (libtorch
     * checks before scaling) and the caller measures it its own way.
     */
    public static double clip(Collection<NDArray> parameters, double maxNorm) {
        try (TensorVector tensors = new TensorVector()) {
            for (NDArray p : parameters) {
                tensors.push_back(TorchBridge.borrow(p)); // the vector copies the at::Tensor (+1 reference)
            }
            return torch.clip_grad_norm_(tensors, maxNorm, 2.0, true);
        } catch (RuntimeException nonFinite) { // error_if_nonfinite: thrown before any gradient is scaled
            if (String.valueOf(nonFinite.getMessage()).contains("non-finite")) {
                return Double.NaN;
            }
            throw nonFinite;
        }
    }
}
