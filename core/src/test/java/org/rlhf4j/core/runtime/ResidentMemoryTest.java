package org.rlhf4j.core.runtime;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ResidentMemoryTest {

    private static final int MIB = 1 << 20;

    @Test
    void thePeakAfterAResetCountsPagesTouchedSinceThen() {
        assumeTrue(Files.isReadable(Path.of("/proc/self/status")), "Linux only");
        assumeTrue(ResidentMemory.resetPeak(), "kernel without clear_refs 5");
        long base = ResidentMemory.currentBytes();
        assertTrue(base > 0);
        ByteBuffer touched = ByteBuffer.allocateDirect(96 * MIB); // native memory: resident once written
        for (int i = 0; i < touched.capacity(); i += 4096) {
            touched.put(i, (byte) 1);
        }
        // VmHWM is not monotonic between reads (the kernel folds the current size in lazily), so
        // only the lower bound is safe: the new pages must be in the peak
        assertTrue(ResidentMemory.peakBytes() >= base + 64L * MIB,
                "peak " + ResidentMemory.peakBytes() + " after touching 96 MiB above " + base);
        assertTrue(touched.get(0) == 1);
    }
}
