package org.rlhf4j.core.io;

/**
 * Conversions between float32 and bfloat16 bit patterns, done in Java because DJL's PyTorch
 * engine has no bfloat16 type (creating one aborts the JVM).
 */
public final class BFloat16 {

    /** The quiet NaN torch writes for every NaN input ({@code c10::BFloat16}'s round_to_nearest_even). */
    public static final short NAN = (short) 0x7FC0;

    private BFloat16() {}

    /** Widens bfloat16 bits to the float32 of the same value (exact: bfloat16 is float32's top half). */
    public static float toFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /**
     * Rounds a float32 to the nearest bfloat16, ties to even, bit-identical to torch's
     * {@code .to(torch.bfloat16)}: values past the largest bfloat16 become infinity and every NaN
     * becomes {@link #NAN}.
     */
    public static short fromFloat(float value) {
        if (Float.isNaN(value)) {
            return NAN;
        }
        int bits = Float.floatToRawIntBits(value);
        // Adding 0x7fff rounds up past the halfway point; the low kept bit breaks ties towards even.
        return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
    }
}
