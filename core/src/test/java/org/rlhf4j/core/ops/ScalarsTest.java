package org.rlhf4j.core.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

class ScalarsTest {

    @Test
    void makesZeroDimensionalFloat32InTheGivenManager() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray s = Scalars.of(m, 0.25);
            assertEquals(new Shape(), s.getShape());
            assertEquals(DataType.FLOAT32, s.getDataType());
            assertEquals(0.25f, s.getFloat());
            assertEquals(m, s.getManager());
        }
    }

    @Test
    void roundsToFloatThenCastsToTheRequestedType() {
        try (NDManager m = NDManager.newBaseManager()) {
            // 1 / sqrt(8) = 0.35355339...; float16 keeps 11 significant bits: 0.35351562
            NDArray s = Scalars.of(m, 1 / Math.sqrt(8), DataType.FLOAT16);
            assertEquals(DataType.FLOAT16, s.getDataType());
            assertEquals(0.35351562f, s.toType(DataType.FLOAT32, false).getFloat(), 0f);
        }
    }

    @Test
    void likeUsesTheManagerOfTheGivenArray() {
        try (NDManager m = NDManager.newBaseManager(); NDManager sub = m.newSubManager()) {
            NDArray x = sub.create(new float[] {1, 2});
            assertEquals(sub, Scalars.like(x, 3).getManager());
        }
    }

    @Test
    void gradientThroughAScalarProductIsExact() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[] {1, -2, 4}); // (3)
            x.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                // d/dx sum(3 x / 2) = 1.5 for every element
                gc.backward(x.mul(Scalars.of(m, 3)).div(Scalars.of(m, 2)).sum());
            }
            assertArrayEquals(new float[] {1.5f, 1.5f, 1.5f}, x.getGradient().toFloatArray(), 0f);
        }
    }
}
