package org.rlhf4j.core.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

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
        compare(root.randomNormal(new Shape(2, 4, 5, 8)), root.randomNormal(new Shape(2, 2, 5, 8)),
                root.randomNormal(new Shape(2, 2, 5, 8)), AttentionMask.bias(mask, 5, Integer.MAX_VALUE));
    }

    @Test
    void fusedMatchesComposedForOneQueryOverACacheAndASlidingWindow() {
        KernelParity.requireBridge();
        // decoding: T = 1 query over Tk = 6 slots, right-padded row 0, window 3; MHA (H = KV = 2)
        NDArray mask = root.create(new float[] {1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1}, new Shape(2, 6));
        compare(root.randomNormal(new Shape(2, 2, 1, 4)), root.randomNormal(new Shape(2, 2, 6, 4)),
                root.randomNormal(new Shape(2, 2, 6, 4)), AttentionMask.bias(mask, 1, 3));
    }

    private void compare(NDArray q, NDArray k, NDArray v, NDArray bias) {
        List<NDArray> inputs = List.of(q, k, v);
        List<float[]> composed = KernelParity.outputAndGradients(root, inputs,
                in -> ScaledDotProductAttention.composed(in.get(0), in.get(1), in.get(2), bias));
        List<float[]> fused = KernelParity.outputAndGradients(root, inputs,
                in -> ScaledDotProductAttention.fused(in.get(0), in.get(1), in.get(2), bias));
        KernelParity.assertParity(composed, fused);
    }
}
