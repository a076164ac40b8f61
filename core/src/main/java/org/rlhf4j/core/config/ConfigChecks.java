package org.rlhf4j.core.config;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The default-and-range checks that config records run in their compact constructors, with one
 * wording for every key: {@code KEY must be >= MIN, got V}, {@code KEY must be finite and > 0, got
 * V} and so on. Each takes the YAML key for the message and, where a key may be left out, the
 * default; each throws {@link ConfigException}.
 */
public final class ConfigChecks {

    private ConfigChecks() {}

    /** {@code value} (or {@code fallback} when absent), which must be {@code >= min}. */
    public static int atLeast(String key, Integer value, int fallback, int min) {
        int v = value == null ? fallback : value;
        if (v < min) {
            throw new ConfigException(key + " must be >= " + min + ", got " + v);
        }
        return v;
    }

    /** An optional {@code value}: absent stays absent, present must be {@code >= min}. */
    public static Integer atLeastIfSet(String key, Integer value, int min) {
        return value == null ? null : atLeast(key, value, min, min);
    }

    /** {@code value} (or {@code fallback}), which must be finite and {@code > 0}. */
    public static double positive(String key, Double value, double fallback) {
        double v = value == null ? fallback : value;
        if (!(v > 0) || Double.isInfinite(v)) {
            throw new ConfigException(key + " must be finite and > 0, got " + v);
        }
        return v;
    }

    /** {@code value} (or {@code fallback}), which must be finite and {@code >= 0}. */
    public static double nonNegative(String key, Double value, double fallback) {
        double v = value == null ? fallback : value;
        if (!(v >= 0) || Double.isInfinite(v)) {
            throw new ConfigException(key + " must be finite and >= 0, got " + v);
        }
        return v;
    }

    /** {@code value} (or {@code fallback}), which must be in {@code [0, 1]}. */
    public static double unit(String key, Double value, double fallback) {
        double v = value == null ? fallback : value;
        if (!(v >= 0 && v <= 1)) {
            throw new ConfigException(key + " must be in [0, 1], got " + v);
        }
        return v;
    }

    /** {@code value} (or {@code fallback}), which must be in {@code [min, max]}. */
    public static int within(String key, Integer value, int fallback, int min, int max) {
        int v = value == null ? fallback : value;
        if (v < min || v > max) {
            throw new ConfigException(key + " must be in [" + min + ", " + max + "], got " + v);
        }
        return v;
    }

    /** The constant of {@code type} named {@code value} in any case, e.g. {@code ranking} for {@code RANKING}. */
    public static <E extends Enum<E>> E oneOf(String key, String value, Class<E> type) {
        try {
            return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            List<String> names = Arrays.stream(type.getEnumConstants()).map(c -> c.name().toLowerCase(Locale.ROOT)).toList();
            throw new ConfigException(key + " must be one of " + String.join(", ", names) + ", got '" + value + "'");
        }
    }
}
