package org.rlhf4j.core.plan;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A predicted peak: bytes per component (in the order they are printed) and the optimizer step's
 * floating-point operations.
 *
 * @param inputs what was planned
 * @param components name to bytes at the peak, e.g. {@code weights}, {@code activations}
 * @param stepFlops floating-point operations of one optimizer step (forward, backward, recompute)
 */
public record MemoryPlan(PlanInputs inputs, Map<String, Long> components, double stepFlops) {

    public MemoryPlan {
        components = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(components));
    }

    /** The predicted peak resident memory. */
    public long peakBytes() {
        return components.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Seconds per optimizer step at {@code flopsPerSecond} sustained. */
    public double stepSeconds(double flopsPerSecond) {
        return stepFlops / flopsPerSecond;
    }

    /** One line per component in GiB and the total. */
    public String table() {
        StringBuilder out = new StringBuilder();
        components.forEach((name, bytes) -> out.append(String.format(Locale.ROOT, "  %-22s %9s%n", name, gib(bytes))));
        out.append(String.format(Locale.ROOT, "  %-22s %9s%n", "predicted peak", gib(peakBytes())));
        return out.toString();
    }

    /** {@code bytes} as GiB with two decimals. */
    public static String gib(long bytes) {
        return String.format(Locale.ROOT, "%.2f GiB", bytes / (double) (1L << 30));
    }
}
