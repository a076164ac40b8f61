package org.rlhf4j.core.plan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * This device's sustained matmul rate, measured with a short float32 GEMM in this process (same
 * libtorch, same threads): a data-sheet peak says little on a shared, virtualised machine.
 */
public final class MatmulRate {

    /**
     * The share of the GEMM rate a training step sustains: 38-65% measured on the development
     * machine (the bench's train-step; attention and elementwise ops are slower than GEMM).
     */
    public static final double TRAINING_EFFICIENCY = 0.5;

    private MatmulRate() {}

    /** FLOP/s of {@code (n x n) x (n x n)} matmuls on {@code manager}'s device, the best of three after a warm-up. */
    public static double measure(NDManager manager, int n) {
        try (NDManager scope = manager.newSubManager()) {
            NDArray a = scope.randomUniform(-1, 1, new Shape(n, n), DataType.FLOAT32); // (n, n)
            NDArray b = scope.randomUniform(-1, 1, new Shape(n, n), DataType.FLOAT32);
            a.matMul(b).close(); // allocator and BLAS set-up
            double best = Double.MAX_VALUE;
            for (int i = 0; i < 3; i++) {
                long start = System.nanoTime();
                NDArray product = a.matMul(b);
                best = Math.min(best, (System.nanoTime() - start) / 1e9);
                product.close();
            }
            return 2.0 * n * n * (double) n / best;
        }
    }
}
