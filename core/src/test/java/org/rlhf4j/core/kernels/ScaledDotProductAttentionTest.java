package org.rlhf4j.core.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.rlhf4j.core.model.AttentionMask;

class ScaledDotProductAttentionTest {

    private NDManager root;

    @BeforeEach
    void open() {
        root = NDManager.newBaseManager();
        root.getEngine().setRandomSeed(7);
    }

    @AfterEach
    void close() {
        root.close();
    }

    @Test
    void composedMatchesHandComputedValues() {
        // One head, hd = 1, q = [1, 2], k = [0, 1], v = [10, 20], causal.
        // query 0 sees key 0 only -> 10. query 1: scores 2 * [0, 1] = [0, 2], softmax [0.1192029, 0.8807971]
        // -> 10 * 0.1192029 + 20 * 0.8807971 = 18.807971.
        NDArray q = root.create(new float[] {1, 2}, new Shape(1, 1, 2, 1));
        NDArray k = root.create(new float[] {0, 1}, new Shape(1, 1, 2, 1));
        NDArray v = root.create(new float[] {10, 20}, new Shape(1, 1, 2, 1));
        NDArray bias = AttentionMask.bias(root.ones(new Shape(1, 2)), 2, Integer.MAX_VALUE);
        assertArrayEquals(new float[] {10f, 18.807971f},
                ScaledDotProductAttention.composed(q, k, v, bias).toFloatArray(), 1e-5f);
    }

    @Test
    void composedGroupsQueryHeadsInRepeatKvOrder() {
        // H = 2, KV = 1: both query heads read the one kv head; a single visible key gives its value.
        NDArray q = root.create(new float[] {3, -1}, new Shape(1, 2, 1, 1));
        NDArray k = root.create(new float[] {2}, new Shape(1, 1, 1, 1));
        NDArray v = root.create(new float[] {5}, new Shape(1, 1, 1, 1));
        NDArray bias = root.zeros(new Shape(1, 1, 1, 1));
        assertArrayEquals(new float[] {5f, 5f}, ScaledDotProductAttention.composed(q, k, v, bias).toFloatArray());
    }

    @Test
    void fusedMatchesComposedWithCausalPaddingAndGroupedHeads() {
        KernelParity.requireBridge();
        // B = 2, H = 4, KV = 2, T = 5, hd = 8; row 1 left-padded by 2 (its padding queries see no key).
        NDArray mask = root.create(new float[] {1, 1, 1, 1, 1, 0, 0, 1, 1, 1}, new Shape(2, 5));
        NDArray q = root.randomNormal(new Shape(2, 4, 5, 8));
        NDArray k = root.randomNormal(new Shape(2, 2, 5, 8));
        NDArray v = root.randomNormal(new Shape(2, 2, 5, 8));
        NDArray bias = AttentionMask.bias(mask, 5, Integer.MAX_VALUE);
        // Forward on every row: a query that sees no key gets the uniform average in both.
        assertArrayEquals(ScaledDotProductAttention.composed(q, k, v, bias).toFloatArray(),
                ScaledDotProductAttention.fused(q, k, v, bias, false).toFloatArray(), (float) KernelParity.TOLERANCE);
        // Gradients through real query rows only: under -Drlhf4j.attention=mask the flash kernel's
        // backward recomputes a row's probabilities from its log-sum-exp, which for a row of keys
        // all at MASKED (-1e9) rounds to -1e9 in float32, so a gradient entering such a row is
        // scaled by the key count (5x here). Nothing reads those rows (core.model's package notes).
        compareOnRealQueries(mask, q, k, v, bias, false);
    }

    @Test
    void fusedMatchesComposedOverManyKeyBlocksWithLongLeftAndRightPadding() {
        KernelParity.requireBridge();
        // T = 150 spans several of the flash kernel's key blocks; row 1 left-padded by 100, row 2
        // left-padded by 40 and right-padded by 30 (a rollout: prompt and response padding).
        int t = 150;
        float[] mask = new float[3 * t];
        for (int i = 0; i < t; i++) {
            mask[i] = 1;
            mask[t + i] = i >= 100 ? 1 : 0;
            mask[2 * t + i] = i >= 40 && i < t - 30 ? 1 : 0;
        }
        NDArray maskArray = root.create(mask, new Shape(3, t));
        compareOnRealQueries(maskArray, root.randomNormal(new Shape(3, 4, t, 8)), root.randomNormal(new Shape(3, 2, t, 8)),
                root.randomNormal(new Shape(3, 2, t, 8)), AttentionMask.bias(maskArray, t, Integer.MAX_VALUE), false);
    }

    @Test
    void fusedMatchesComposedForOneQueryOverACacheAndASlidingWindow() {
        KernelParity.requireBridge();
        // decoding: T = 1 query over Tk = 6 slots, right-padded row 0, window 3; MHA (H = KV = 2)
        NDArray mask = root.create(new float[] {1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1}, new Shape(2, 6));
        compare(root.randomNormal(new Shape(2, 2, 1, 4)), root.randomNormal(new Shape(2, 2, 6, 4)),
                root.randomNormal(new Shape(2, 2, 6, 4)), AttentionMask.bias(mask, 1, 3));
    }

    @Test
    void causalFlashMatchesComposedOnRealRowsOfRightPaddedGroupedHeads() {
        KernelParity.requireBridge();
        // B = 3, H = 4, KV = 2, T = 6, hd = 8; rows of 6, 4 and 1 real tokens, right-padded.
        NDArray mask = root.create(new float[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0},
                new Shape(3, 6));
        compareCausal(mask, root.randomNormal(new Shape(3, 4, 6, 8)), root.randomNormal(new Shape(3, 2, 6, 8)),
                root.randomNormal(new Shape(3, 2, 6, 8)));
    }

    @Test
    void causalFlashMatchesComposedForOneTokenAndForMultiHeadAttention() {
        KernelParity.requireBridge();
        // length 1 (one key, one query), GQA with a single kv head
        compareCausal(root.ones(new Shape(2, 1)), root.randomNormal(new Shape(2, 4, 1, 8)),
                root.randomNormal(new Shape(2, 1, 1, 8)), root.randomNormal(new Shape(2, 1, 1, 8)));
        // MHA (H = KV = 2), one row right-padded by 3 of 5
        NDArray mask = root.create(new float[] {1, 1, 0, 0, 0, 1, 1, 1, 1, 1}, new Shape(2, 5));
        compareCausal(mask, root.randomNormal(new Shape(2, 2, 5, 4)), root.randomNormal(new Shape(2, 2, 5, 4)),
                root.randomNormal(new Shape(2, 2, 5, 4)));
    }

    /**
     * The causal kernel against the composition with the full bias, on real query rows only: the
     * outputs at padding queries are zeroed (they differ by design, and nothing reads them), so the
     * gradients compared are those of a loss over real rows, as every loss in rlhf4j is.
     */
    private void compareCausal(NDArray mask, NDArray q, NDArray k, NDArray v) {
        NDArray bias = AttentionMask.bias(mask, mask.getShape().get(1), Integer.MAX_VALUE);
        assertTrue(AttentionMask.isCausal(bias), "a right-padded full pass is marked causal");
        compareOnRealQueries(mask, q, k, v, bias, true);
    }

    private void compareOnRealQueries(NDArray mask, NDArray q, NDArray k, NDArray v, NDArray bias, boolean causal) {
        long b = mask.getShape().get(0);
        long t = mask.getShape().get(1);
        NDArray realQueries = mask.reshape(b, 1, t, 1); // (B, 1, T, 1)
        List<NDArray> inputs = List.of(q, k, v);
        List<float[]> composed = KernelParity.outputAndGradients(root, inputs,
                in -> ScaledDotProductAttention.composed(in.get(0), in.get(1), in.get(2), bias).mul(realQueries));
        List<float[]> fused = KernelParity.outputAndGradients(root, inputs,
                in -> ScaledDotProductAttention.fused(in.get(0), in.get(1), in.get(2), bias, causal).mul(realQueries));
        KernelParity.assertParity(composed, fused);
    }

    private void compare(NDArray q, NDArray k, NDArray v, NDArray bias) {
        List<NDArray> inputs = List.of(q, k, v);
        List<float[]> composed = KernelParity.outputAndGradients(root, inputs,
                in -> ScaledDotProductAttention.composed(in.get(0), in.get(1), in.get(2), bias));
        List<float[]> fused = KernelParity.outputAndGradients(root, inputs,
                in -> ScaledDotProductAttention.fused(in.get(0), in.get(1), in.get(2), bias, false));
        KernelParity.assertParity(composed, fused);
    }
}
