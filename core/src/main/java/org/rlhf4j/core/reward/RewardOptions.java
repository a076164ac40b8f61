package org.rlhf4j.core.reward;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Typed reads of a reward function's {@code options:} map, with errors that name the function
 * and the key.
 */
public final class RewardOptions {

    private final String owner;
    private final Map<String, Object> options;

    private RewardOptions(String owner, Map<String, Object> options) {
        this.owner = owner;
        this.options = options == null ? Map.of() : new LinkedHashMap<>(options);
    }

    /** The options of the function called {@code owner} in messages. */
    public static RewardOptions of(String owner, Map<String, Object> options) {
        return new RewardOptions(owner, options);
    }

    /** A number option, or {@code fallback} when absent. */
    public double number(String key, double fallback) {
        Object value = options.get(key);
        if (value == null) {
            return fallback;
        }
        if (!(value instanceof Number n) || !Double.isFinite(n.doubleValue())) {
            throw new IllegalArgumentException(owner + ": option '" + key + "' must be a finite number, got " + value);
        }
        return n.doubleValue();
    }

    /** A string option, or {@code fallback} (may be null) when absent. */
    public String string(String key, String fallback) {
        Object value = options.get(key);
        if (value == null) {
            return fallback;
        }
        if (!(value instanceof String s)) {
            throw new IllegalArgumentException(owner + ": option '" + key + "' must be a string, got " + value);
        }
        return s;
    }

    /** A true/false option, or {@code fallback} when absent. */
    public boolean flag(String key, boolean fallback) {
        Object value = options.get(key);
        if (value == null) {
            return fallback;
        }
        if (!(value instanceof Boolean b)) {
            throw new IllegalArgumentException(owner + ": option '" + key + "' must be true or false, got " + value);
        }
        return b;
    }

    /** Fails on any key not in {@code known}, listing the known ones. */
    public RewardOptions requireOnly(String... known) {
        List<String> allowed = Arrays.asList(known);
        for (String key : options.keySet()) {
            if (!allowed.contains(key)) {
                throw new IllegalArgumentException(owner + ": unknown option '" + key + "'"
                        + (known.length == 0 ? "; it takes no options" : "; known options: "
                                + String.join(", ", new TreeSet<>(allowed))));
            }
        }
        return this;
    }
}
