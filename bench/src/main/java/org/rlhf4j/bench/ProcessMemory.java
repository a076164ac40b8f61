package org.rlhf4j.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * This process's memory as the kernel counts it (/proc/self/status), which includes libtorch's
 * native allocations that the Java heap figures do not show.
 */
public final class ProcessMemory {

    private ProcessMemory() {}

    /** Resident set size now (VmRSS), in MiB; -1 where /proc is missing. */
    public static double residentMib() {
        return statusFieldMib("VmRSS:");
    }

    /** Highest resident set size so far (VmHWM), in MiB; -1 where /proc is missing. */
    public static double peakResidentMib() {
        return statusFieldMib("VmHWM:");
    }

    private static double statusFieldMib(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field)) {
                    // "VmRSS:     123456 kB"
                    String[] parts = line.substring(field.length()).trim().split("\\s+");
                    return Long.parseLong(parts[0]) / 1024.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through: not Linux, or a format we do not know
        }
        return -1;
    }
}
