package org.rlhf4j.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.rlhf4j.core.config.UserException;

/** Bit-level checks of the Java bfloat16 and float16 conversions on hand-picked values. */
class FloatConversionTest {

    private static short bf16(int floatBits) {
        return BFloat16.fromFloat(Float.intBitsToFloat(floatBits));
    }

    private static short f16(float value) {
        return Float16.fromFloat(value);
    }

    @Test
    void bfloat16RoundsToNearestEven() {
        assertEquals((short) 0x3F80, bf16(0x3F800000)); // 1.0 is exact
        // 1.00390625 = 1 + 2^-8 lies halfway between 1.0 (0x3F80) and 1.0078125 (0x3F81): tie -> even 0x3F80
        assertEquals((short) 0x3F80, BFloat16.fromFloat(1.00390625f));
        // 1.01171875 = 1 + 3 * 2^-8 lies halfway between 0x3F81 and 0x3F82: tie -> even 0x3F82 (1.015625)
        assertEquals((short) 0x3F82, BFloat16.fromFloat(1.01171875f));
        assertEquals(1.015625f, BFloat16.toFloat(BFloat16.fromFloat(1.01171875f)));
        assertEquals((short) 0x3F81, bf16(0x3F808001)); // just above the tie -> up
        assertEquals((short) 0x3F80, bf16(0x3F807FFF)); // just below the tie -> down
        assertEquals((short) 0xBF80, BFloat16.fromFloat(-1.00390625f)); // sign kept, magnitude ties to even
        assertEquals((short) 0x0000, bf16(0x00008000)); // subnormal tie, low kept bit 0 -> down
        assertEquals((short) 0x0002, bf16(0x00018000)); // subnormal tie, low kept bit 1 -> up
    }

    @Test
    void bfloat16SpecialValues() {
        assertEquals((short) 0x7F80, BFloat16.fromFloat(Float.POSITIVE_INFINITY));
        assertEquals((short) 0xFF80, BFloat16.fromFloat(Float.NEGATIVE_INFINITY));
        assertEquals((short) 0x7F80, BFloat16.fromFloat(Float.MAX_VALUE)); // rounds past the largest bf16
        assertEquals((short) 0x7F7F, bf16(0x7F7F7FFF)); // largest bf16 stays finite
        assertEquals((short) 0x7FC0, BFloat16.fromFloat(Float.NaN));
        assertEquals((short) 0x7FC0, bf16(0x7F800001)); // signalling NaN with a low payload stays NaN
        assertEquals((short) 0x7FC0, bf16(0xFFC00000)); // negative NaN -> torch's canonical NaN
        assertEquals((short) 0x8000, BFloat16.fromFloat(-0.0f));
    }

    @Test
    void bfloat16WideningIsExact() {
        assertEquals(1.0078125f, BFloat16.toFloat((short) 0x3F81)); // 1 + 2^-7
        assertEquals(-2.0f, BFloat16.toFloat((short) 0xC000));
        assertTrue(Float.isNaN(BFloat16.toFloat((short) 0x7FC0)));
        for (int bits = 0; bits <= 0xFFFF; bits++) { // every bf16 survives widen + round unchanged
            float wide = BFloat16.toFloat((short) bits);
            if (!Float.isNaN(wide)) {
                assertEquals((short) bits, BFloat16.fromFloat(wide), "bits " + Integer.toHexString(bits));
            }
        }
    }

    @Test
    void float16WideningOfKnownPatterns() {
        assertEquals(1.0f, Float16.toFloat((short) 0x3C00));
        assertEquals(65504f, Float16.toFloat((short) 0x7BFF)); // largest half
        assertEquals(0x1p-24f, Float16.toFloat((short) 0x0001)); // smallest subnormal
        assertEquals(0x1p-14f, Float16.toFloat((short) 0x0400)); // smallest normal
        assertEquals(0.333251953125f, Float16.toFloat((short) 0x3555)); // 1365/4096
        assertEquals(Float.floatToIntBits(-0.0f), Float.floatToIntBits(Float16.toFloat((short) 0x8000)));
        assertEquals(Float.NEGATIVE_INFINITY, Float16.toFloat((short) 0xFC00));
        assertTrue(Float.isNaN(Float16.toFloat((short) 0x7E00)));
    }

    @Test
    void float16RoundsToNearestEven() {
        // 1 + 2^-11 is halfway between 0x3C00 and 0x3C01: tie -> even 0x3C00
        assertEquals((short) 0x3C00, f16(1 + 0x1p-11f));
        // 1 + 3 * 2^-11 is halfway between 0x3C01 and 0x3C02: tie -> even 0x3C02
        assertEquals((short) 0x3C02, f16(1 + 3 * 0x1p-11f));
        assertEquals((short) 0x7BFF, f16(65519f)); // below the midpoint to 65536 -> largest half
        assertEquals((short) 0x7C00, f16(65520f)); // the midpoint; 0x7BFF is odd -> infinity
        assertEquals((short) 0x0000, f16(0x1p-25f)); // half the smallest subnormal: tie -> 0
        assertEquals((short) 0x0002, f16(3 * 0x1p-25f)); // 1.5 subnormal units: tie -> 2
        assertEquals((short) 0x0400, f16(1023.5f * 0x1p-24f)); // tie between 0x03FF and 0x0400 -> 0x0400
        assertEquals((short) 0x8001, f16(-0x1p-24f));
        assertEquals((short) 0x0000, f16(0x1p-30f)); // underflows to zero
        assertEquals((short) 0x7E00, f16(Float.NaN));
        assertEquals((short) 0xFE00, f16(Float.intBitsToFloat(0xFFC00000)));
        assertEquals((short) 0xFC00, f16(-1e10f));
    }

    @Test
    void everyFloat16SurvivesWidenAndRound() {
        for (int bits = 0; bits <= 0xFFFF; bits++) {
            float wide = Float16.toFloat((short) bits);
            if (!Float.isNaN(wide)) {
                assertEquals((short) bits, Float16.fromFloat(wide), "bits " + Integer.toHexString(bits));
            }
        }
    }

    @Test
    void saveDtypeNames() {
        assertEquals(SaveDtype.BFLOAT16, SaveDtype.fromName("bfloat16"));
        assertEquals(SaveDtype.BFLOAT16, SaveDtype.fromName("torch.bfloat16"));
        assertEquals(SaveDtype.FLOAT16, SaveDtype.fromName("FP16"));
        assertEquals(SaveDtype.FLOAT32, SaveDtype.fromName("float32"));
        assertEquals("bfloat16", SaveDtype.BFLOAT16.torchName());
        UserException e = org.junit.jupiter.api.Assertions.assertThrows(UserException.class,
                () -> SaveDtype.fromName("float64"));
        assertTrue(e.getMessage().contains("float64"), e.getMessage());
    }
}
