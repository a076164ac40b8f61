package org.rlhf4j.core.kernels;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import org.bytedeco.pytorch.global.torch;

/**
 * SiLU, {@code x * sigmoid(x)}: libtorch's one-kernel {@code silu} (one saved input, one backward
 * kernel) through {@link TorchBridge} when it is active, else composed from DJL's sigmoid.
 */
public final class Silu {

    private Silu() {}

    /** {@code x * sigmoid(x)} elementwise, any shape. */
    public static NDArray apply(NDArray x) {
        if (x.getDataType() == DataType.FLOAT32 && TorchBridge.active()) {
            return TorchBridge.adopt(torch.silu(TorchBridge.borrow(x)), x.getManager());
        }
        return composed(x);
    }

    /**
     * The DJL composition. Not {@code Activation.swish}: that multiplies by a Java Number, which
     * corrupts gradients on CPU (DJL-NOTES item 2).
     */
    public static NDArray composed(NDArray x) {
        return x.mul(x.getNDArrayInternal().sigmoid());
    }
}
