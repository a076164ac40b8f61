package org.rlhf4j.core.io;

import java.util.Arrays;

/**
 * One entry of a safetensors header.
 *
 * @param name the tensor's name, e.g. {@code model.embed_tokens.weight}
 * @param dtype its element type
 * @param shape its dimensions, outermost first ({@code []} for a scalar)
 * @param begin first byte, relative to the start of the data buffer (the byte after the header)
 * @param end one past the last byte, relative to the start of the data buffer
 */
public record TensorInfo(String name, SafetensorsDtype dtype, long[] shape, long begin, long end) {

    public TensorInfo {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Number of elements (1 for a scalar). */
    public long numElements() {
        return elementCount(shape);
    }

    /** Bytes the tensor occupies, {@code end - begin}. */
    public long byteSize() {
        return end - begin;
    }

    /** The shape as {@code [a, b]}, for messages. */
    public String shapeString() {
        return Arrays.toString(shape);
    }

    /** The product of the dimensions; throws ArithmeticException on overflow. */
    static long elementCount(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t && name.equals(t.name) && dtype == t.dtype
                && Arrays.equals(shape, t.shape) && begin == t.begin && end == t.end;
    }

    @Override
    public int hashCode() {
        return 31 * name.hashCode() + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + " " + dtype + " " + shapeString() + " [" + begin + ", " + end + ")";
    }
}
