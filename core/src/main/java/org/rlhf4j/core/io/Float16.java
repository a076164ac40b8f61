package org.rlhf4j.core.io;

/**
 * Conversions between float32 and IEEE 754 half-precision bit patterns ({@code Float.float16ToFloat}
 * exists only from Java 20).
 */
public final class Float16 {

    /** The quiet NaN written for every NaN input, with the input's sign, as torch does. */
    private static final int QUIET_NAN = 0x7E00;
    private static final int INFINITY = 0x7C00;
    /** float32 exponent bias minus float16 exponent bias (127 - 15), shifted into the exponent field. */
    private static final int REBIAS = 112 << 23;
    /** The smallest normal float16, 2^-14, as float32 bits. */
    private static final int MIN_NORMAL_BITS = 0x38800000;

    private Float16() {}

    /** Widens half-precision bits to the float32 of the same value (always exact). */
    public static float toFloat(short half) {
        int h = half & 0xFFFF;
        int sign = (h & 0x8000) << 16;
        int exponent = (h >>> 10) & 0x1F;
        int mantissa = h & 0x3FF;
        if (exponent == 0x1F) { // infinity or NaN: keep the payload
            return Float.intBitsToFloat(sign | 0x7F800000 | (mantissa << 13));
        }
        if (exponent == 0) { // zero or subnormal: mantissa * 2^-24, exact in float32
            float magnitude = mantissa * 0x1p-24f;
            return sign == 0 ? magnitude : -magnitude;
        }
        return Float.intBitsToFloat(sign | ((exponent << 23) + REBIAS) | (mantissa << 13));
    }

    /**
     * Rounds a float32 to the nearest half, ties to even; values at or past 65520 become infinity
     * and NaN becomes a quiet NaN of the same sign.
     */
    public static short fromFloat(float value) {
        int bits = Float.floatToRawIntBits(value);
        int sign = (bits >>> 16) & 0x8000;
        int magnitude = bits & 0x7FFFFFFF;
        if (magnitude > 0x7F800000) {
            return (short) (sign | QUIET_NAN);
        }
        if (magnitude < MIN_NORMAL_BITS) {
            // Subnormal range: the half's bits are round(|value| / 2^-24); Math.rint rounds ties to
            // even and a result of 1024 is exactly the smallest normal's encoding.
            double units = Math.rint(Float.intBitsToFloat(magnitude) * 0x1p24);
            return (short) (sign | (int) units);
        }
        // Normal range: rebias the exponent, then drop 13 mantissa bits rounding to nearest even;
        // a carry out of the mantissa correctly bumps the exponent, up to infinity.
        int rounded = (magnitude - REBIAS + 0x0FFF + ((magnitude >>> 13) & 1)) >>> 13;
        return (short) (sign | Math.min(rounded, INFINITY));
    }
}
