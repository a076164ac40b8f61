package org.rlhf4j.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.junit.jupiter.api.Test;

class NormAndSoftmaxTest {

    @Test
    void rmsNormMatchesHandComputation() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[][] {{1, 2, 3, 4}});
            NDArray w = m.create(new float[] {1, 1, 2, 0.5f});
            // mean(x^2) = (1 + 4 + 9 + 16) / 4 = 7.5; rms = sqrt(7.5 + 1e-6) = 2.7386129
            // x / rms = [0.3651483, 0.7302967, 1.0954451, 1.4605935]; times w:
            float[] expected = {0.3651483f, 0.7302967f, 2.1908901f, 0.7302967f};
            assertArrayEquals(expected, RmsNorm.apply(x, w, 1e-6).toFloatArray(), 1e-6f);
        }
    }

    @Test
    void rmsNormOfHalfInputComputesStatisticsInFloat32() {
        try (NDManager m = NDManager.newBaseManager()) {
            // Squares of 300 overflow nothing in float32 but 4 * 300^2 / 4 = 90000 > 65504, fp16's max.
            NDArray x = m.create(new float[][] {{300, 300, 300, 300}}).toType(DataType.FLOAT16, false);
            NDArray w = m.ones(new ai.djl.ndarray.types.Shape(4), DataType.FLOAT16);
            NDArray y = RmsNorm.apply(x, w, 1e-6);
            assertEquals(DataType.FLOAT16, y.getDataType());
            assertArrayEquals(new float[] {1, 1, 1, 1}, y.toType(DataType.FLOAT32, false).toFloatArray(), 1e-3f);
        }
    }

    @Test
    void tokenLogpsMatchHandComputation() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray logits = m.create(new float[] {1, 2, 3, 4}).reshape(1, 1, 4); // (B=1, T=1, V=4)
            NDArray targets = m.create(new long[] {2}).reshape(1, 1);
            // logsumexp = 4 + log(1 + e^-1 + e^-2 + e^-3) = 4 + log(1.5530010) = 4.4401897
            // log p(2) = 3 - 4.4401897 = -1.4401897
            NDArray logps = TokenLogps.of(logits, targets);
            assertEquals(new ai.djl.ndarray.types.Shape(1, 1), logps.getShape());
            assertEquals(-1.4401897f, logps.getFloat(0, 0), 1e-6f);
        }
    }
}
