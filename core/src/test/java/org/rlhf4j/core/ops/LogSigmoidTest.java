package org.rlhf4j.core.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

class LogSigmoidTest {

    @Test
    void matchesHandComputation() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[] {0, 1, -2}); // (3)
            // log sigmoid(0) = -log 2 = -0.693147; log sigmoid(1) = -log(1 + e^-1) = -0.313262;
            // log sigmoid(-2) = -log(1 + e^2) = -2.126928
            assertArrayEquals(new float[] {-0.693147f, -0.313262f, -2.126928f}, LogSigmoid.of(x).toFloatArray(), 1e-6f);
            assertArrayEquals(new float[] {0.693147f, 0.313262f, 2.126928f}, LogSigmoid.negative(x).toFloatArray(), 1e-6f);
        }
    }

    @Test
    void isFiniteAtLargeArguments() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[] {100, -100, 1000, -1000}); // (4)
            // exp(-|x|) underflows to 0: log sigmoid(x) = min(x, 0) exactly
            assertArrayEquals(new float[] {0, -100, 0, -1000}, LogSigmoid.of(x).toFloatArray(), 0f);
            assertArrayEquals(new float[] {0, 100, 0, 1000}, LogSigmoid.negative(x).toFloatArray(), 0f);
        }
    }

    @Test
    void theTwoFormsAreExactNegatives() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.randomNormal(new ai.djl.ndarray.types.Shape(64)).mul(m.create(10f)); // (64)
            assertArrayEquals(LogSigmoid.of(x).neg().toFloatArray(), LogSigmoid.negative(x).toFloatArray(), 0f);
        }
    }

    @Test
    void gradientIsOneMinusSigmoid() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[] {0, 2, -3}); // (3)
            x.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(LogSigmoid.of(x).sum());
            }
            // d/dx log sigmoid(x) = 1 - sigmoid(x): 0.5, 1 - 0.880797 = 0.119203, 1 - 0.047426 = 0.952574
            assertArrayEquals(new float[] {0.5f, 0.119203f, 0.952574f}, x.getGradient().toFloatArray(), 1e-6f);
        }
    }
}
