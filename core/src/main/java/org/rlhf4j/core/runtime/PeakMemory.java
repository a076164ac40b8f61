package org.rlhf4j.core.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process's peak resident memory, which counts libtorch's native arrays that the JVM heap
 * figures miss: {@code VmHWM} of {@code /proc/self/status} on Linux, 0 where that is unavailable.
 */
public final class PeakMemory {

    private PeakMemory() {}

    /** Peak resident bytes of this process so far ({@code VmHWM}), 0 where unknown. */
    public static long residentBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    String[] parts = line.substring(6).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return 0;
    }
}
