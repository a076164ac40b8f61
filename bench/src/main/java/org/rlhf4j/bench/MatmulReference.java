package org.rlhf4j.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * The rate of one large float32 matmul in this process, with the same libtorch and thread count
 * as the training step: the practical ceiling that the step's GFLOP/s is compared with (a peak
 * from the CPU's data sheet would say little on a shared, virtualised machine).
 */
public final class MatmulReference {

    private MatmulReference() {}

    /**
     * Times {@code (n x n) x (n x n)} matmuls: one untimed, then {@code repetitions} timed.
     *
     * @return the time per matmul in ms; the rate is {@code 2 n^3 / time}
     */
    public static Summary timeMatmul(NDManager parent, int n, int repetitions) {
        try (NDManager scope = parent.newSubManager()) {
            NDArray a = scope.randomUniform(-1, 1, new Shape(n, n), DataType.FLOAT32); // (n, n)
            NDArray b = scope.randomUniform(-1, 1, new Shape(n, n), DataType.FLOAT32); // (n, n)
            a.matMul(b).close(); // first call: libtorch's allocator and BLAS set-up
            double[] ms = new double[repetitions];
            for (int i = 0; i < repetitions; i++) {
                long start = System.nanoTime();
                NDArray product = a.matMul(b); // (n, n); CPU ops are synchronous, so the clock is fair
                ms[i] = (System.nanoTime() - start) / 1e6;
                product.close();
            }
            return Summary.of(ms);
        }
    }

    /** GFLOP/s of an {@code n}-sized square matmul that took {@code ms} milliseconds. */
    public static double gflops(int n, double ms) {
        return 2.0 * n * n * (double) n / (ms / 1000.0) / 1e9;
    }
}
