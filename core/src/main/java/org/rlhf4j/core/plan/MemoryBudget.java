package org.rlhf4j.core.plan;

import ai.djl.Device;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.rlhf4j.core.config.ConfigException;

/** How much memory a plan may use: a size the user gives, or this machine's RAM on the CPU. */
public final class MemoryBudget {

    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(gib|gb|g|mib|mb|m)?",
            Pattern.CASE_INSENSITIVE);

    private MemoryBudget() {}

    /** {@code 24GiB}, {@code 24G}, {@code 16GB} (10^9), {@code 8000MiB}; a bare number is GiB. */
    public static long parse(String text, String flag) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            throw new ConfigException(flag + ": expected a size such as 24GiB, 16GB or 8000MiB, got '" + text + "'");
        }
        double value = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "gib" : m.group(2).toLowerCase(Locale.ROOT);
        double bytes = switch (unit) {
            case "gb" -> value * 1e9;
            case "mib", "m" -> value * (1L << 20);
            case "mb" -> value * 1e6;
            default -> value * (1L << 30);
        };
        return (long) bytes;
    }

    /** The RAM of this machine ({@code MemTotal}) for the CPU, 0 (unknown) for a GPU. */
    public static long of(Device device) {
        if (device.isGpu()) {
            return 0;
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return Long.parseLong(line.substring(9).trim().split("\\s+")[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return 0;
    }
}
