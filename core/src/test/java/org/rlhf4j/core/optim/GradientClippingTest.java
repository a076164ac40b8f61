package org.rlhf4j.core.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class GradientClippingTest {

    private NDManager root;

    @BeforeEach
    void open() {
        root = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        root.close();
    }

    private static void assertClose(double[] expected, float[] actual, double tol) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < actual.length; i++) {
            assertEquals(expected[i], actual[i], tol, "element " + i);
        }
    }

    @Test
    void clipsParameterGradientsAboveTheNorm() {
        NDArray w = root.create(new float[] {0f, 0f});
        w.setRequiresGradient(true);
        Map<String, NDArray> params = Map.of("w", w);
        GradientFixture.backward(params, Map.of("w", new float[] {3f, 4f}));
        double norm = GradientClipping.clipGlobalNorm(params, 1.0);
        // sqrt(9 + 16) = 5, returned before clipping.
        assertEquals(5.0, norm, 1e-6);
        // coef = 1 / (5 + 1e-6) = 0.19999996: [3, 4] -> [0.59999988, 0.79999984], just under [0.6, 0.8].
        float[] g = GradientFixture.gradientOf(w);
        assertClose(new double[] {0.59999988, 0.79999984}, g, 1e-7);
        assertTrue(g[0] < 0.6f && g[1] < 0.8f, "the 1e-6 keeps the clipped norm below maxNorm");
    }

    @Test
    void theEpsilonIsAddedToTheNorm() {
        NDArray g = root.create(new float[] {3e-6f, 4e-6f});
        double norm = GradientClipping.clipGlobalNorm(List.of(g), 1e-6);
        // norm 5e-6, coef = 1e-6 / (5e-6 + 1e-6) = 1/6 (not 1/5): [5e-7, 6.6667e-7], not [6e-7, 8e-7].
        assertEquals(5e-6, norm, 1e-12);
        assertClose(new double[] {5e-7, 6.6666667e-7}, g.toFloatArray(), 1e-12);
    }

    @Test
    void leavesGradientsUnderTheNormAlone() {
        NDArray g = root.create(new float[] {0.3f, 0.4f});
        double norm = GradientClipping.clipGlobalNorm(List.of(g), 1.0);
        // sqrt(0.09 + 0.16) = 0.5 < 1: coef 1 / 0.500001 > 1 is clamped to 1, nothing changes.
        assertEquals(0.5, norm, 1e-6);
        assertArrayEquals(new float[] {0.3f, 0.4f}, g.toFloatArray());
    }

    @Test
    void normIsGlobalOverSeveralTensors() {
        NDArray a = root.create(new float[] {1f, 2f, 2f, 4f}, new Shape(2, 2));
        NDArray b = root.create(new float[] {0f, 12f});
        int before = root.getManagedArrays().size();
        double norm = GradientClipping.clipGlobalNorm(List.of(a, b), 6.5);
        // |a| = sqrt(1 + 4 + 4 + 16) = 5, |b| = 12, global sqrt(25 + 144) = 13;
        // coef = 6.5 / 13.000001 = 0.49999996: a -> [0.5, 1, 1, 2], b -> [0, 6].
        assertEquals(13.0, norm, 1e-5);
        assertClose(new double[] {0.5, 1, 1, 2}, a.toFloatArray(), 1e-6);
        assertClose(new double[] {0, 6}, b.toFloatArray(), 1e-6);
        assertEquals(new Shape(2, 2), a.getShape());
        // The borrowed arrays went back to their manager and no temporaries stayed behind.
        assertEquals(before, root.getManagedArrays().size());
        assertEquals(root, a.getManager());
    }

    @Test
    void parametersWithoutGradientAreLeftOut() {
        NDArray used = root.create(new float[] {0f, 0f});
        NDArray unused = root.create(new float[] {7f});
        used.setRequiresGradient(true);
        unused.setRequiresGradient(true);
        Map<String, NDArray> params = new LinkedHashMap<>();
        params.put("used", used);
        params.put("unused", unused);
        GradientFixture.backward(params, Map.of("used", new float[] {3f, 4f}));
        int before = root.getManagedArrays().size();
        assertEquals(5.0, GradientClipping.clipGlobalNorm(params, 10.0), 1e-6);
        assertEquals(before, root.getManagedArrays().size());
    }

    @Test
    void float16GradientsAreNormedInFloat32AndScaledInPlace() {
        NDArray g = root.create(new float[] {300f, 400f}).toType(DataType.FLOAT16, false);
        double norm = GradientClipping.clipGlobalNorm(List.of(g), 100.0);
        // 300^2 + 400^2 = 250000 would overflow float16 (max 65504); in float32 the norm is 500.
        assertEquals(500.0, norm, 1e-3);
        assertEquals(DataType.FLOAT16, g.getDataType());
        // coef = 100 / 500.000001 = 0.2: [60, 80] (float16 rounding: spacing 0.03 at 60)
        assertClose(new double[] {60, 80}, g.toType(DataType.FLOAT32, false).toFloatArray(), 0.07);
    }

    @Test
    void nonFiniteNormIsReturnedAndGradientsAreLeftForTheCaller() {
        NDArray g = root.create(new float[] {Float.POSITIVE_INFINITY, 1f});
        assertEquals(Double.POSITIVE_INFINITY, GradientClipping.clipGlobalNorm(List.of(g), 1.0));
        assertArrayEquals(new float[] {Float.POSITIVE_INFINITY, 1f}, g.toFloatArray());
        NDArray h = root.create(new float[] {Float.NaN, 1f});
        assertTrue(Double.isNaN(GradientClipping.clipGlobalNorm(List.of(h), 1.0)));
        assertEquals(1f, h.toFloatArray()[1]);
    }

    @Test
    void rejectsNonPositiveMaxNorm() {
        NDArray g = root.create(new float[] {1f});
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> GradientClipping.clipGlobalNorm(List.of(g), 0.0));
        assertTrue(e.getMessage().contains("max_grad_norm"), e.getMessage());
    }
}
