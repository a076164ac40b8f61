package org.rlhf4j.core.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OptimizerStepTest {

    /** Gives w the gradient c by backward through sum(w * c). */
    private static void backward(NDManager manager, NDArray w, float[] c) {
        try (NDManager scope = manager.newSubManager(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            scope.tempAttachAll(w);
            gc.backward(w.mul(scope.create(c, w.getShape())).sum());
        }
    }

    @Test
    void clipsToTheGlobalNormAndSkipsNonFiniteSteps() {
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            NDArray w = manager.create(new float[] {1f, 2f}, new Shape(2));
            w.setRequiresGradient(true);
            Map<String, NDArray> params = new LinkedHashMap<>(Map.of("model.layers.0.mlp.up_proj.weight", w));
            try (AdamW adamW = new AdamW(params, AdamWConfig.withWeightDecay(0.0), manager)) {
                // constant lr 0.1, no warmup
                OptimizerStep step = new OptimizerStep(adamW, params, 1.0,
                        new LearningRateSchedule(LearningRateSchedule.Kind.CONSTANT, 0.1, 0, 10));
                backward(manager, w, new float[] {3f, 4f}); // norm 5, clipped to 1
                OptimizerStep.Result r = step.apply(0);
                assertEquals(5.0, r.gradNorm(), 1e-6);
                assertEquals(0.1, r.learningRate());
                assertFalse(r.skipped());
                // Adam's first step moves each weight by lr * sign(g) (m_hat / sqrt(v_hat) = +-1): [0.9, 1.9]
                assertArrayEquals(new float[] {0.9f, 1.9f}, w.toFloatArray(), 1e-5f);

                backward(manager, w, new float[] {Float.NaN, 1f});
                OptimizerStep.Result skipped = step.apply(1);
                assertTrue(skipped.skipped());
                assertTrue(Double.isNaN(skipped.gradNorm()));
                assertEquals(1, step.skippedSteps());
                assertArrayEquals(new float[] {0.9f, 1.9f}, w.toFloatArray(), 1e-5f); // untouched
                assertEquals(1L, adamW.stepCount("model.layers.0.mlp.up_proj.weight"));
                try (NDArray g = w.getGradient()) {
                    assertArrayEquals(new float[] {0f, 0f}, g.toFloatArray(), 0f); // zeroed for the next step
                }
            }
        }
    }
}
