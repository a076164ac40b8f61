package org.rlhf4j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.Map;
import java.util.Optional;

/**
 * Finds tensors holding NaN or infinite values, so that diverged or corrupt weights are refused
 * when a model is loaded or saved instead of producing NaN losses or NUL bytes later.
 */
public final class NonFiniteTensors {

    private NonFiniteTensors() {}

    /** The name of the first of {@code tensors} (in map order) with a NaN or infinite element. */
    public static Optional<String> first(Map<String, NDArray> tensors) {
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            if (!isFinite(e.getValue())) {
                return Optional.of(e.getKey());
            }
        }
        return Optional.empty();
    }

    /** Whether every element of {@code tensor} is finite; reads it without recording a graph. */
    public static boolean isFinite(NDArray tensor) {
        if (!tensor.getDataType().isFloating() || tensor.isEmpty()) {
            return true;
        }
        // x - x is 0 for finite x and NaN for NaN and +-inf, and a sum of zeros cannot overflow,
        // so one reduction answers for the whole tensor.
        try (NDManager scope = tensor.getManager().newSubManager()) {
            scope.tempAttachAll(tensor); // the results land in the scope, not the model's manager
            return !Float.isNaN(tensor.sub(tensor).sum().toType(DataType.FLOAT32, false).getFloat());
        }
    }
}
