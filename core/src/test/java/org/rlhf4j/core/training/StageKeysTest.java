package org.rlhf4j.core.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;
import org.rlhf4j.core.config.ConfigException;

class StageKeysTest {

    @Test
    void trainingComputesInFloat32Only() {
        assertEquals("float32", StageKeys.computeDtype(null));
        assertEquals("float32", StageKeys.computeDtype(" Float32 "));
        ConfigException half = assertThrows(ConfigException.class, () -> StageKeys.computeDtype("float16"));
        assertTrue(half.getMessage().contains("lora.base_dtype: float16"), half.getMessage());
        ConfigException bf16 = assertThrows(ConfigException.class, () -> StageKeys.computeDtype("bfloat16"));
        assertTrue(bf16.getMessage().contains("save_dtype"), bf16.getMessage());
    }

    /** Why float16 is refused: if DJL's cast ever records its gradient, this fails and the refusal can go. */
    @Test
    void djlsDtypeCastRecordsNoGradient() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[] {1, 2, 3});
            x.setRequiresGradient(true);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                // d/dx of (cast(x) * x) is 2x through a differentiable cast, x through a detached one
                collector.backward(x.toType(DataType.FLOAT16, false).toType(DataType.FLOAT32, false).mul(x).sum());
            }
            assertNotNull(x.getGradient());
            assertEquals(java.util.List.of(1f, 2f, 3f), boxed(x.getGradient().toFloatArray()));
        }
    }

    private static java.util.List<Float> boxed(float[] values) {
        java.util.List<Float> out = new java.util.ArrayList<>();
        for (float v : values) {
            out.add(v);
        }
        return out;
    }
}
