package org.rlhf4j.core.ops;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Torch-owned 0-d constants for arithmetic inside an autograd graph.
 *
 * <p>DJL's {@code mul(Number)}, {@code div(Number)}, {@code pow(Number)}, {@code maximum(Number)}
 * and {@code minimum(Number)} wrap the Java number in an array over a direct buffer and close it
 * right after the op while autograd still holds it, so backward may read garbage after a GC
 * (DJL-NOTES item 2). An array made by {@code manager.full} is owned by torch and lives as long
 * as the graph needs it. ({@code add(Number)} and {@code sub(Number)} were measured clean.)
 */
public final class Scalars {

    private Scalars() {}

    /** A () float32 array of {@code value} (rounded to float) in {@code manager}. */
    public static NDArray of(NDManager manager, double value) {
        return of(manager, value, DataType.FLOAT32);
    }

    /** A () array of {@code value} (rounded to float first) with type {@code dtype} in {@code manager}. */
    public static NDArray of(NDManager manager, double value, DataType dtype) {
        return manager.full(new Shape(), (float) value, dtype);
    }

    /** A () float32 array of {@code value} in the manager of {@code like}. */
    public static NDArray like(NDArray like, double value) {
        return of(like.getManager(), value);
    }
}
