package org.rlhf4j.core.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SiluTest {

    private NDManager root;

    @BeforeEach
    void open() {
        root = NDManager.newBaseManager();
        root.getEngine().setRandomSeed(11);
    }

    @AfterEach
    void close() {
        root.close();
    }

    @Test
    void matchesHandComputedValuesOnEitherPath() {
        // silu(x) = x / (1 + e^-x): 0 -> 0, 1 -> 0.7310586, -2 -> -2 * 0.1192029 = -0.2384058
        NDArray x = root.create(new float[] {0, 1, -2});
        float[] expected = {0f, 0.7310586f, -0.2384058f};
        assertArrayEquals(expected, Silu.composed(x).toFloatArray(), 1e-6f);
        assertArrayEquals(expected, Silu.apply(x).toFloatArray(), 1e-6f);
    }

    @Test
    void fusedMatchesComposedWithGradients() {
        KernelParity.requireBridge();
        List<NDArray> inputs = List.of(root.randomNormal(new Shape(3, 4, 16)).mul(root.create(4f)));
        KernelParity.assertParity(
                KernelParity.outputAndGradients(root, inputs, in -> Silu.composed(in.get(0))),
                KernelParity.outputAndGradients(root, inputs, in -> Silu.apply(in.get(0))));
    }
}
