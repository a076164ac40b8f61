package org.rlhf4j.core.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process's resident memory as Linux reports it, which counts libtorch's native arrays that
 * the JVM heap figures miss. Elsewhere every figure is 0 and nothing can be reset.
 */
public final class ResidentMemory {

    private static final Path STATUS = Path.of("/proc/self/status");
    private static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");

    private ResidentMemory() {}

    /** The peak resident set size since the process started or since {@link #resetPeak()} ({@code VmHWM}). */
    public static long peakBytes() {
        return statusKilobytes("VmHWM:") * 1024;
    }

    /** The current resident set size ({@code VmRSS}). */
    public static long currentBytes() {
        return statusKilobytes("VmRSS:") * 1024;
    }

    /**
     * Starts a new peak at the current resident size (Linux 4.0+: writing 5 to
     * {@code /proc/self/clear_refs}), so that one phase of a long process can report its own peak.
     * The new peak still includes whatever earlier phases left resident (the JVM heap keeps its size).
     *
     * @return whether the kernel accepted the reset
     */
    public static boolean resetPeak() {
        try {
            Files.writeString(CLEAR_REFS, "5");
            return true;
        } catch (IOException | RuntimeException unsupported) {
            return false;
        }
    }

    private static long statusKilobytes(String key) {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith(key)) {
                    return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException unavailable) {
            return 0;
        }
        return 0;
    }
}
