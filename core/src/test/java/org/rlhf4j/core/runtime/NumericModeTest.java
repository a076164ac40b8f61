package org.rlhf4j.core.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NumericModeTest {

    private static final NumericMode.CpuInfo CPU = new NumericMode.CpuInfo("Test CPU", true);

    @Test
    void reproducibleOnlyWithEveryPinAndAThreadCount() {
        Map<String, String> env = new HashMap<>(NumericMode.PINNED);
        assertTrue(NumericMode.of(env::get, "2", CPU).reproducible());
        assertFalse(NumericMode.of(env::get, null, CPU).reproducible(), "thread count left to libtorch");
        env.put("MKL_ENABLE_INSTRUCTIONS", "AVX512");
        assertFalse(NumericMode.of(env::get, "2", CPU).reproducible());
        env.remove("MKL_ENABLE_INSTRUCTIONS");
        assertFalse(NumericMode.of(env::get, "2", CPU).reproducible());
    }

    @Test
    void switchOffWinsOverPins() {
        Map<String, String> env = new HashMap<>(NumericMode.PINNED);
        env.put(NumericMode.SWITCH, "0");
        NumericMode mode = NumericMode.of(env::get, "2", CPU);
        assertFalse(mode.reproducible());
        assertTrue(mode.describe().startsWith("numerics: native"), mode.describe());
    }

    @Test
    void provenanceNamesEveryPinAndTheCpu() {
        Map<String, Object> map = NumericMode.of(Map.<String, String>of()::get, null, CPU).toMap();
        assertEquals(false, map.get("reproducible"));
        assertEquals("unset", map.get("ATEN_CPU_CAPABILITY"));
        assertEquals("libtorch default", map.get("intra_op_threads"));
        assertEquals("Test CPU", map.get("cpu"));
        assertEquals(true, map.get("cpu_avx512"));
    }

    @Test
    void cpuInfoReadsModelAndAvx512Flag() {
        NumericMode.CpuInfo avx512 = NumericMode.CpuInfo.parse(List.of("processor\t: 0", "model name\t: AMD EPYC",
                "flags\t\t: fpu avx2 avx512f avx512dq"));
        assertEquals(new NumericMode.CpuInfo("AMD EPYC", true), avx512);
        // avx512_bf16 alone is not the foundation flag
        NumericMode.CpuInfo avx2 = NumericMode.CpuInfo.parse(List.of("model name : Old", "flags : avx2 avx512_bf16"));
        assertEquals(new NumericMode.CpuInfo("Old", false), avx2);
        assertEquals("unknown", NumericMode.CpuInfo.parse(List.of()).model());
    }
}
