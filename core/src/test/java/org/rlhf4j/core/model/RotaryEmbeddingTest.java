package org.rlhf4j.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.junit.jupiter.api.Test;

class RotaryEmbeddingTest {

    // D=32, H=4 -> head_dim 8, theta 10000: inv_freq = 10000^(-2i/8) = [1, 0.1, 0.01, 0.001]
    private static final String PLAIN = ",\"rope_theta\":10000.0";
    private static final String LLAMA3 = PLAIN + ",\"rope_scaling\":{\"rope_type\":\"llama3\",\"factor\":8.0,"
            + "\"low_freq_factor\":1.0,\"high_freq_factor\":4.0,\"original_max_position_embeddings\":1024}";

    @Test
    void plainFrequenciesFollowTheta() {
        double[] inv = RotaryEmbedding.inverseFrequencies(TinyModels.config(PLAIN));
        assertArrayEquals(new double[] {1, 0.1, 0.01, 0.001}, inv, 1e-15);
    }

    @Test
    void llama3ScalingChangesFrequenciesAsTheFormulaSays() {
        double[] inv = RotaryEmbedding.inverseFrequencies(TinyModels.config(LLAMA3));
        // low_freq_wavelen = 1024 / 1 = 1024, high_freq_wavelen = 1024 / 4 = 256.
        // wavelen = 2 pi / inv = [6.28, 62.8, 628.3, 6283.2]
        // 6.28 and 62.8 < 256: unchanged -> 1, 0.1
        // 628.3 in between: smooth = (1024 / 628.3185 - 1) / (4 - 1) = 0.2099155;
        //   inv = (1 - 0.2099155) * 0.01 / 8 + 0.2099155 * 0.01 = 0.003086761
        // 6283.2 > 1024: inv / factor = 0.001 / 8 = 0.000125
        assertEquals(1.0, inv[0], 1e-15);
        assertEquals(0.1, inv[1], 1e-15);
        assertEquals(0.003086761, inv[2], 1e-9);
        assertEquals(0.000125, inv[3], 1e-15);
    }

    @Test
    void rotationPairsFirstAndSecondHalfNotNeighbours() {
        try (NDManager m = NDManager.newBaseManager()) {
            LlamaConfig config = TinyModels.config(PLAIN);
            RotaryEmbedding rope = new RotaryEmbedding(config);
            NDArray positions = m.create(new long[] {3}).reshape(1, 1); // (B=1, T=1)
            RotaryEmbedding.Angles angles = rope.angles(positions, DataType.FLOAT32);
            // x = e_1 (dimension 1 of the first half). rotate_half(x) = [-x2, x1] = e_5, so
            // x * cos + rotate_half(x) * sin puts cos(3 * 0.1) at dim 1 and sin(3 * 0.1) at dim 5.
            float[] unit = new float[8];
            unit[1] = 1;
            NDArray x = m.create(unit).reshape(1, 1, 1, 8);
            float[] out = RotaryEmbedding.apply(x, angles).toFloatArray();
            float[] expected = new float[8];
            expected[1] = (float) Math.cos(0.3);
            expected[5] = (float) Math.sin(0.3);
            assertArrayEquals(expected, out, 1e-6f);
            // and e_5 (second half) rotates to -sin at dim 1, cos at dim 5
            float[] unit2 = new float[8];
            unit2[5] = 1;
            float[] out2 = RotaryEmbedding.apply(m.create(unit2).reshape(1, 1, 1, 8), angles).toFloatArray();
            float[] expected2 = new float[8];
            expected2[1] = (float) -Math.sin(0.3);
            expected2[5] = (float) Math.cos(0.3);
            assertArrayEquals(expected2, out2, 1e-6f);
        }
    }

    @Test
    void rotationMatricesRotateAsApplyDoes() {
        try (NDManager m = NDManager.newBaseManager()) {
            LlamaConfig config = TinyModels.config(LLAMA3);
            RotaryEmbedding rope = new RotaryEmbedding(config);
            long[] positions = {0, 7, 300};
            NDArray x = m.randomNormal(new ai.djl.ndarray.types.Shape(3, 1, 4, 8)); // (B, T=1, heads, hd)
            NDArray expected = RotaryEmbedding.apply(x, rope.angles(m.create(positions).reshape(3, 1),
                    DataType.FLOAT32));
            NDArray rotations = m.create(rope.rotations(positions), new ai.djl.ndarray.types.Shape(3, 1, 8, 8));
            TinyModels.assertClose(expected, x.matMul(rotations), 1e-5f, "x R");
            // position 0 is the identity
            float[] identity = new float[64];
            for (int i = 0; i < 8; i++) {
                identity[i * 8 + i] = 1;
            }
            assertArrayEquals(identity, java.util.Arrays.copyOf(rope.rotations(positions), 64), 0f);
        }
    }
}
