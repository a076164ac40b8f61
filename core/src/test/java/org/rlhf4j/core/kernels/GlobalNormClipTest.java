package org.rlhf4j.core.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.rlhf4j.core.optim.GradientClipping;

class GlobalNormClipTest {

    private NDManager root;

    @BeforeEach
    void open() {
        root = NDManager.newBaseManager();
        root.getEngine().setRandomSeed(3);
    }

    @AfterEach
    void close() {
        root.close();
    }

    @Test
    void matchesTheDjlPathOnNormAndClippedGradients() {
        KernelParity.requireBridge();
        List<NDArray> fusedParams = parameters();
        List<NDArray> djlParams = parameters();
        double fusedNorm = GlobalNormClip.clip(fusedParams, 0.5);
        List<NDArray> gradients = new ArrayList<>();
        for (NDArray p : djlParams.subList(0, 2)) { // the frozen one has none
            gradients.add(p.getGradient());
        }
        double djlNorm = GradientClipping.clipGlobalNorm(gradients, 0.5);
        assertEquals(djlNorm, fusedNorm, 1e-5 * djlNorm);
        assertTrue(fusedNorm > 0.5, "the gradients were above the limit, so both clipped");
        for (int i = 0; i < 2; i++) {
            assertArrayEquals(djlParams.get(i).getGradient().toFloatArray(),
                    fusedParams.get(i).getGradient().toFloatArray(), 1e-5f, "parameter " + i);
        }
    }

    @Test
    void aNonFiniteNormTouchesNoGradient() {
        KernelParity.requireBridge();
        NDArray w = root.create(new float[] {1, 2});
        w.setRequiresGradient(true);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            gc.backward(w.mul(root.create(new float[] {Float.POSITIVE_INFINITY, 1})).sum());
        }
        assertTrue(Double.isNaN(GlobalNormClip.clip(List.of(w), 1.0)));
        assertArrayEquals(new float[] {Float.POSITIVE_INFINITY, 1}, w.getGradient().toFloatArray());
    }

    /** Two seeded parameters (one has no gradient, as a frozen one would) with gradients of norm > 0.5. */
    private List<NDArray> parameters() {
        root.getEngine().setRandomSeed(3);
        NDArray a = root.randomNormal(new Shape(4, 3));
        NDArray b = root.randomNormal(new Shape(5));
        NDArray frozen = root.randomNormal(new Shape(2));
        a.setRequiresGradient(true);
        b.setRequiresGradient(true);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            gc.backward(a.square().sum().add(b.mul(b).mul(b).sum()));
        }
        return List.of(a, b, frozen);
    }
}
