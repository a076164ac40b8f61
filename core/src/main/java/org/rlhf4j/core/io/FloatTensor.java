package org.rlhf4j.core.io;

import java.util.Arrays;

/**
 * A float32 tensor held in a Java array, for IO without an NDManager (tests, tools).
 *
 * @param shape dimensions, outermost first
 * @param values the elements in row-major order
 */
public record FloatTensor(long[] shape, float[] values) {

    public FloatTensor {
        shape = shape.clone();
        if (TensorInfo.elementCount(shape) != values.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds "
                    + TensorInfo.elementCount(shape) + " elements but " + values.length + " values were given");
        }
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FloatTensor t && Arrays.equals(shape, t.shape) && Arrays.equals(values, t.values);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return "FloatTensor" + Arrays.toString(shape);
    }
}
