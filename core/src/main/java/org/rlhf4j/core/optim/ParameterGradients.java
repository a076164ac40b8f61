package org.rlhf4j.core.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Reads and zeroes the gradient libtorch accumulated on a parameter, telling "no gradient" apart
 * from a zero gradient.
 *
 * <p>DJL's {@code NDArray.getGradient()} returns a fresh zeros array (float32, whatever the
 * parameter's dtype) when libtorch has no gradient for the tensor, so it cannot tell a parameter
 * that took no part in the backward pass from one whose gradient is zero. This class asks
 * libtorch directly, which ties it to the PyTorch engine (the only engine rlhf4j runs on).
 */
final class ParameterGradients {

    private ParameterGradients() {}

    /**
     * The gradient of {@code parameter}, or {@code null} when libtorch has none (the parameter was
     * not reached by any backward pass since it was created). The returned wrapper shares storage
     * with the gradient, so in-place ops on it change the gradient; it is attached to the
     * parameter's manager and the caller must close it or move it into a scope.
     */
    static NDArray readOrNull(NDArray parameter) {
        return JniUtils.getGradient(pytorch(parameter));
    }

    /** Zeroes the gradient of {@code parameter} in place; does nothing when it has none. */
    static void zero(NDArray parameter) {
        JniUtils.zeroGrad(pytorch(parameter));
    }

    static PtNDArray pytorch(NDArray array) {
        if (array instanceof PtNDArray pt) {
            return pt;
        }
        throw new IllegalArgumentException(
                "rlhf4j's optimizer needs PyTorch engine arrays, got " + array.getClass().getName());
    }
}
