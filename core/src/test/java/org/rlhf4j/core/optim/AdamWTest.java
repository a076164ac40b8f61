package org.rlhf4j.core.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AdamWTest {

    private static final String DECAYED = "model.layers.0.mlp.up_proj.weight";
    private static final String NORM = "model.norm.weight";
    private static final String BIAS = "model.layers.0.self_attn.q_proj.bias";
    private static final double TOL = 1e-6;

    private NDManager root;

    @BeforeEach
    void open() {
        root = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        root.close();
    }

    private NDArray parameter(float... values) {
        NDArray p = root.create(values);
        p.setRequiresGradient(true);
        return p;
    }

    private static void assertClose(double[] expected, NDArray actual, double tol) {
        float[] got = actual.toFloatArray();
        assertEquals(expected.length, got.length);
        for (int i = 0; i < got.length; i++) {
            assertEquals(expected[i], got[i], tol, "element " + i);
        }
    }

    @Test
    void oneStepDecaysWeightsButNotNormsOrBiases() {
        Map<String, NDArray> params = new LinkedHashMap<>();
        params.put(DECAYED, parameter(1f, -2f));
        params.put(NORM, parameter(1f, -2f));
        params.put(BIAS, parameter(1f, -2f));
        try (AdamW adamW = new AdamW(params, AdamWConfig.withWeightDecay(0.1), root)) {
            GradientFixture.backward(params, Map.of(
                    DECAYED, new float[] {0.5f, -1f},
                    NORM, new float[] {0.5f, -1f},
                    BIAS, new float[] {0.5f, -1f}));
            adamW.step(0.1);
            // lr 0.1, t = 1, g = [0.5, -1]:
            //   m = 0.1 g = [0.05, -0.1], v = 0.001 g^2 = [0.00025, 0.001]
            //   m_hat = g, sqrt(v_hat) = |g|, update = 0.1 * g / (|g| + 1e-8) = [0.099999998, -0.099999999]
            // decayed: p = [1, -2] * (1 - 0.1 * 0.1) = [0.99, -1.98]; minus update = [0.890000002, -1.880000001]
            assertClose(new double[] {0.890000002, -1.880000001}, params.get(DECAYED), TOL);
            // norm and bias: no decay, [1, -2] - update = [0.900000002, -1.900000001]
            assertClose(new double[] {0.900000002, -1.900000001}, params.get(NORM), TOL);
            assertClose(new double[] {0.900000002, -1.900000001}, params.get(BIAS), TOL);
            try (NDManager out = root.newSubManager()) {
                Map<String, NDArray> state = adamW.exportState(out);
                // The kernel's betas are float32: 1 - 0.9f = 0.100000024, 1 - 0.999f = 0.000999987,
                // hence tolerances of a few parts in 1e5 relative on the moments.
                assertClose(new double[] {0.05, -0.1}, state.get(AdamW.EXP_AVG + NORM), 1e-7);
                assertClose(new double[] {0.00025, 0.001}, state.get(AdamW.EXP_AVG_SQ + NORM), 2e-8);
                assertEquals(1f, state.get(AdamW.STEP + NORM).getFloat());
                assertEquals(new Shape(), state.get(AdamW.STEP + NORM).getShape());
            }
        }
    }

    @Test
    void twoStepsMatchHandComputation() {
        Map<String, NDArray> params = new LinkedHashMap<>();
        params.put(DECAYED, parameter(1f, -2f));
        params.put(BIAS, parameter(1f, -2f));
        try (AdamW adamW = new AdamW(params, AdamWConfig.withWeightDecay(0.1), root)) {
            GradientFixture.backward(params, Map.of(DECAYED, new float[] {0.5f, -1f}, BIAS, new float[] {0.5f, -1f}));
            adamW.step(0.1);
            GradientFixture.backward(params, Map.of(DECAYED, new float[] {-0.5f, 0.25f}, BIAS, new float[] {-0.5f, 0.25f}));
            adamW.step(0.1);
            // Step 2, g = [-0.5, 0.25], from m1 = [0.05, -0.1], v1 = [0.00025, 0.001]:
            //   m2 = 0.9 m1 + 0.1 g = [-0.005, -0.065]
            //   v2 = 0.999 v1 + 0.001 g^2 = [0.00049975, 0.0010615]
            //   bc1 = 1 - 0.81 = 0.19, bc2 = 1 - 0.998001 = 0.001999
            //   m_hat = [-0.0263157895, -0.342105263], sqrt(v_hat) = [0.5, 0.728707...]
            //   update = 0.1 * m_hat / (sqrt(v_hat) + 1e-8) = [-0.0052631578, -0.0469468171]
            // bias (no decay): [0.900000002, -1.900000001] - update = [0.9052631598, -1.8530531845]
            assertClose(new double[] {0.9052631598, -1.8530531845}, params.get(BIAS), TOL);
            // decayed: [0.890000002, -1.880000001] * 0.99 - update = [0.8863631598, -1.8142531845]
            assertClose(new double[] {0.8863631598, -1.8142531845}, params.get(DECAYED), TOL);
            assertEquals(2, adamW.stepCount(BIAS));
            try (NDManager out = root.newSubManager()) {
                Map<String, NDArray> state = adamW.exportState(out);
                assertClose(new double[] {-0.005, -0.065}, state.get(AdamW.EXP_AVG + BIAS), 1e-7);
                assertClose(new double[] {0.00049975, 0.0010615}, state.get(AdamW.EXP_AVG_SQ + BIAS), 2e-8);
            }
        }
    }

    @Test
    void epsIsAddedAfterBiasCorrectionAsInPyTorch() {
        Map<String, NDArray> params = Map.of(NORM, parameter(0f));
        try (AdamW adamW = new AdamW(params, AdamWConfig.withWeightDecay(0.0), root)) {
            GradientFixture.backward(params, Map.of(NORM, new float[] {1e-8f}));
            adamW.step(1.0);
            // t = 1, g = 1e-8: m_hat = 1e-8, sqrt(v_hat) = 1e-8, update = 1e-8 / (1e-8 + 1e-8) = 0.5.
            // (eps before bias correction, DJL's own AdamW: 0.316 * 1e-9 / (3.16e-10 + 1e-8) = 0.031.)
            assertClose(new double[] {-0.5}, params.get(NORM), 1e-6);
        }
    }

    @Test
    void biasCorrectionMakesTheFirstStepLrTimesSign() {
        Map<String, NDArray> params = Map.of(NORM, parameter(0f, 0f));
        try (AdamW adamW = new AdamW(params, AdamWConfig.withWeightDecay(0.0), root)) {
            GradientFixture.backward(params, Map.of(NORM, new float[] {1e-3f, -100f}));
            adamW.step(0.01);
            // t = 1: update = lr * g / (|g| + eps), whatever |g|: [0.01 * 1e-3 / (1e-3 + 1e-8), -0.01]
            //   = [0.0099999, -0.01]. Without bias correction it would be 0.1 g / sqrt(0.001 g^2) = 3.16 lr.
            assertClose(new double[] {-0.0099999, 0.01}, params.get(NORM), 1e-8);
        }
    }

    @Test
    void parameterWithoutGradientIsSkippedAndGradientsAreZeroed() {
        Map<String, NDArray> params = new LinkedHashMap<>();
        params.put(DECAYED, parameter(1f, -2f));
        params.put("lm_head.weight", parameter(3f, 4f));
        try (AdamW adamW = new AdamW(params, AdamWConfig.withWeightDecay(0.1), root)) {
            // Only the first parameter takes part in backward: lm_head.weight has no gradient at all.
            GradientFixture.backward(params, Map.of(DECAYED, new float[] {0.5f, -1f}));
            adamW.step(0.1);
            // Untouched, even by weight decay (which would give [2.97, 3.96]), and its step stays 0.
            assertArrayEquals(new float[] {3f, 4f}, params.get("lm_head.weight").toFloatArray());
            assertEquals(0, adamW.stepCount("lm_head.weight"));
            assertEquals(1, adamW.stepCount(DECAYED));
            assertClose(new double[] {0.890000002, -1.880000001}, params.get(DECAYED), TOL);
            try (NDManager out = root.newSubManager()) {
                Map<String, NDArray> state = adamW.exportState(out);
                assertArrayEquals(new float[] {0f, 0f}, state.get(AdamW.EXP_AVG + "lm_head.weight").toFloatArray());
                assertEquals(0f, state.get(AdamW.STEP + "lm_head.weight").getFloat());
            }
            // The consumed gradient was zeroed, so a new backward starts from zero, not from g.
            assertArrayEquals(new float[] {0f, 0f}, GradientFixture.gradientOf(params.get(DECAYED)));
        }
    }

    @Test
    void zeroGradientsClearsAccumulatedGradients() {
        Map<String, NDArray> params = Map.of(DECAYED, parameter(1f, -2f));
        try (AdamW adamW = new AdamW(params, AdamWConfig.withWeightDecay(0.1), root)) {
            GradientFixture.backward(params, Map.of(DECAYED, new float[] {0.5f, -1f}));
            GradientFixture.backward(params, Map.of(DECAYED, new float[] {0.5f, -1f}));
            assertArrayEquals(new float[] {1f, -2f}, GradientFixture.gradientOf(params.get(DECAYED)));
            adamW.zeroGradients();
            assertArrayEquals(new float[] {0f, 0f}, GradientFixture.gradientOf(params.get(DECAYED)));
        }
    }

    /** Plain-double AdamW, written from PyTorch's documented algorithm, independent of the implementation. */
    private static final class ReferenceAdamW {
        final double[] p;
        final double[] m;
        final double[] v;
        final double wd;
        int t;

        ReferenceAdamW(double[] p, double wd) {
            this.p = p.clone();
            this.m = new double[p.length];
            this.v = new double[p.length];
            this.wd = wd;
        }

        void step(double[] g, double lr) {
            t++;
            for (int i = 0; i < p.length; i++) {
                p[i] *= 1 - lr * wd;
                m[i] = 0.9 * m[i] + 0.1 * g[i];
                v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i];
                double mHat = m[i] / (1 - Math.pow(0.9, t));
                double vHat = v[i] / (1 - Math.pow(0.999, t));
                p[i] -= lr * mHat / (Math.sqrt(vHat) + 1e-8);
            }
        }
    }

    @Test
    void tenStepsWithChangingLrMatchTheDoubleReference() {
        Random random = new Random(7);
        float[] init = new float[6];
        for (int i = 0; i < init.length; i++) {
            init[i] = (float) random.nextGaussian();
        }
        NDArray p = parameter(init);
        double[] initD = new double[init.length];
        for (int i = 0; i < init.length; i++) {
            initD[i] = init[i];
        }
        ReferenceAdamW reference = new ReferenceAdamW(initD, 0.05);
        try (AdamW adamW = new AdamW(Map.of(DECAYED, p), AdamWConfig.withWeightDecay(0.05), root)) {
            for (int step = 0; step < 10; step++) {
                float[] g = new float[init.length];
                double[] gD = new double[init.length];
                for (int i = 0; i < g.length; i++) {
                    g[i] = (float) random.nextGaussian();
                    gD[i] = g[i];
                }
                double lr = 0.01 * (step + 1);
                GradientFixture.backward(Map.of(DECAYED, p), Map.of(DECAYED, g));
                adamW.step(lr);
                reference.step(gD, lr);
            }
            assertClose(reference.p, p, 2e-6);
        }
    }

    @Test
    void resumedOptimizerContinuesBitForBit() {
        Random random = new Random(11);
        float[][] grads = new float[4][5];
        for (float[] g : grads) {
            for (int i = 0; i < g.length; i++) {
                g[i] = (float) random.nextGaussian();
            }
        }
        Map<String, NDArray> a = new LinkedHashMap<>();
        a.put(DECAYED, parameter(0.1f, -0.2f, 0.3f, -0.4f, 0.5f));
        a.put(NORM, parameter(1f, 1f, 1f, 1f, 1f));
        try (AdamW uninterrupted = new AdamW(a, AdamWConfig.withWeightDecay(0.1), root)) {
            for (int step = 0; step < 3; step++) {
                GradientFixture.backward(a, Map.of(DECAYED, grads[step], NORM, grads[step]));
                uninterrupted.step(1e-2 * (step + 1));
            }
            // "Save": every array through Java floats, as a checkpoint file would carry it.
            Map<String, NDArray> b = new LinkedHashMap<>();
            for (Map.Entry<String, NDArray> e : a.entrySet()) {
                b.put(e.getKey(), parameter(e.getValue().toFloatArray()));
            }
            Map<String, NDArray> saved = new LinkedHashMap<>();
            try (NDManager out = root.newSubManager()) {
                for (Map.Entry<String, NDArray> e : uninterrupted.exportState(out).entrySet()) {
                    saved.put(e.getKey(), root.create(e.getValue().toFloatArray(), e.getValue().getShape()));
                }
            }
            try (AdamW resumed = new AdamW(b, AdamWConfig.withWeightDecay(0.1), root)) {
                resumed.loadState(saved);
                assertEquals(3, resumed.stepCount(DECAYED));
                GradientFixture.backward(a, Map.of(DECAYED, grads[3], NORM, grads[3]));
                GradientFixture.backward(b, Map.of(DECAYED, grads[3], NORM, grads[3]));
                uninterrupted.step(0.04);
                resumed.step(0.04);
                for (String name : a.keySet()) {
                    assertBitsEqual(a.get(name).toFloatArray(), b.get(name).toFloatArray());
                }
                try (NDManager out = root.newSubManager()) {
                    Map<String, NDArray> expected = uninterrupted.exportState(out);
                    Map<String, NDArray> actual = resumed.exportState(out);
                    assertEquals(expected.keySet(), actual.keySet());
                    for (String key : expected.keySet()) {
                        assertBitsEqual(expected.get(key).toFloatArray(), actual.get(key).toFloatArray());
                    }
                }
            }
        }
    }

    private static void assertBitsEqual(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]),
                    "element " + i + ": " + expected[i] + " vs " + actual[i]);
        }
    }

    @Test
    void loadStateRejectsMissingEntriesAndWrongShapesWithoutChangingAnything() {
        Map<String, NDArray> params = Map.of(NORM, parameter(1f, 2f));
        try (AdamW adamW = new AdamW(params, AdamWConfig.withWeightDecay(0.0), root)) {
            Map<String, NDArray> state = new LinkedHashMap<>();
            state.put(AdamW.EXP_AVG + NORM, root.create(new float[] {1f, 1f}));
            IllegalArgumentException missing =
                    assertThrows(IllegalArgumentException.class, () -> adamW.loadState(state));
            assertTrue(missing.getMessage().contains(AdamW.EXP_AVG_SQ + NORM), missing.getMessage());
            state.put(AdamW.EXP_AVG_SQ + NORM, root.create(new float[] {1f, 1f, 1f}));
            state.put(AdamW.STEP + NORM, root.create(5f));
            IllegalArgumentException shape =
                    assertThrows(IllegalArgumentException.class, () -> adamW.loadState(state));
            assertTrue(shape.getMessage().contains("shape"), shape.getMessage());
            state.put(AdamW.EXP_AVG_SQ + NORM, root.create(new float[] {1f, 1f}));
            state.put("exp_avg/model.embed_tokens.weight", root.create(new float[] {1f}));
            IllegalArgumentException unknown =
                    assertThrows(IllegalArgumentException.class, () -> adamW.loadState(state));
            assertTrue(unknown.getMessage().contains("model.embed_tokens.weight"), unknown.getMessage());
            assertEquals(0, adamW.stepCount(NORM));
        }
    }

    @Test
    void twoHundredStepsDoNotGrowTheManagedArrays() {
        Map<String, NDArray> params = new LinkedHashMap<>();
        params.put("model.embed_tokens.weight", parameter(new float[64]));
        params.put(DECAYED, parameter(new float[32]));
        params.put(NORM, parameter(new float[8]));
        params.put(BIAS, parameter(new float[8]));
        float[][] grads = {new float[64], new float[32], new float[8], new float[8]};
        Random random = new Random(3);
        try (AdamW adamW = new AdamW(params, AdamWConfig.withWeightDecay(0.1), root)) {
            int afterFirstStep = -1;
            for (int step = 0; step < 200; step++) {
                Map<String, float[]> g = new LinkedHashMap<>();
                int k = 0;
                for (String name : params.keySet()) {
                    for (int i = 0; i < grads[k].length; i++) {
                        grads[k][i] = (float) random.nextGaussian();
                    }
                    g.put(name, grads[k++]);
                }
                GradientFixture.backward(params, g);
                GradientClipping.clipGlobalNorm(params, 1.0);
                adamW.step(1e-3);
                if (step == 0) {
                    afterFirstStep = root.getManagedArrays().size();
                }
            }
            // root holds the parameters and, through the optimizer's sub-manager, the moments.
            assertEquals(afterFirstStep, root.getManagedArrays().size());
            assertEquals(4 + 2 * 4, afterFirstStep);
        }
    }
}
