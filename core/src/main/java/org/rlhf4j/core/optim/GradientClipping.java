package org.rlhf4j.core.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.rlhf4j.core.kernels.GlobalNormClip;

/**
 * Global-norm gradient clipping, PyTorch's {@code torch.nn.utils.clip_grad_norm_}: the L2 norm
 * over all gradients taken together, and every gradient scaled by
 * {@code min(1, maxNorm / (norm + 1e-6))} in place.
 *
 * <p>DJL's {@code optClipGrad} clamps element-wise (and only from above), which is a different
 * operation. Norms are computed in float32 (gradients of other dtypes are widened or narrowed for
 * the norm only). A non-finite norm is returned as is and leaves the gradients untouched, so the
 * caller can see it and skip the step; PyTorch would instead scale by NaN.
 */
public final class GradientClipping {

    /** PyTorch's guard against division by a zero norm. */
    static final double NORM_EPSILON = 1e-6;

    private GradientClipping() {}

    /**
     * Clips the gradients of {@code parameters} (parameters without a gradient are left out, as
     * PyTorch leaves out {@code grad is None}) and returns the global norm before clipping.
     */
    public static double clipGlobalNorm(Map<String, NDArray> parameters, double maxNorm) {
        requirePositive(maxNorm);
        if (parameters.isEmpty()) {
            return 0.0;
        }
        if (GlobalNormClip.available(parameters.values())) { // libtorch's clip_grad_norm_ (core.kernels)
            double norm = GlobalNormClip.clip(parameters.values(), maxNorm);
            if (!Double.isNaN(norm)) {
                return norm;
            }
            // non-finite: nothing was scaled; the DJL path below reports the norm (NaN or infinite)
        }
        NDManager owner = parameters.values().iterator().next().getManager();
        try (NDManager scope = owner.newSubManager()) {
            List<NDArray> gradients = new ArrayList<>();
            for (NDArray p : parameters.values()) {
                NDArray g = ParameterGradients.readOrNull(p);
                if (g != null) {
                    g.attach(scope); // a wrapper sharing the gradient's storage; closing it frees only the wrapper
                    gradients.add(g);
                }
            }
            return clipInScope(gradients, maxNorm, scope);
        }
    }

    /**
     * Clips {@code gradients} in place by their global norm and returns that norm before
     * clipping. The arrays stay with their managers; nothing is attached to those managers.
     */
    public static double clipGlobalNorm(Collection<NDArray> gradients, double maxNorm) {
        requirePositive(maxNorm);
        if (gradients.isEmpty()) {
            return 0.0;
        }
        NDManager owner = gradients.iterator().next().getManager();
        try (NDManager scope = owner.newSubManager()) {
            // Borrowed so that norms and conversions land in the scope; returned on close.
            scope.tempAttachAll(gradients.toArray(new NDArray[0]));
            return clipInScope(new ArrayList<>(gradients), maxNorm, scope);
        }
    }

    private static double clipInScope(List<NDArray> gradients, double maxNorm, NDManager scope) {
        if (gradients.isEmpty()) {
            return 0.0;
        }
        NDList norms = new NDList(gradients.size()); // one () float32 norm per gradient
        for (NDArray g : gradients) {
            NDArray g32 = g.getDataType() == DataType.FLOAT32 ? g : g.toType(DataType.FLOAT32, false);
            norms.add(g32.norm()); // () L2 norm over every element
        }
        // Norm of the per-tensor norms, as PyTorch does; one device-to-host transfer.
        double total = NDArrays.stack(norms).norm().getFloat();
        double coefficient = maxNorm / (total + NORM_EPSILON);
        if (Double.isFinite(total) && coefficient < 1.0) { // non-finite: the caller judges (skip the step)
            NDArray scale = scope.create((float) coefficient); // () broadcasts over any shape and device
            for (NDArray g : gradients) {
                g.muli(scale);
            }
        }
        return total;
    }

    private static void requirePositive(double maxNorm) {
        if (!(maxNorm > 0) || Double.isInfinite(maxNorm)) {
            throw new IllegalArgumentException("train.max_grad_norm must be finite and > 0, got " + maxNorm);
        }
    }
}
