package org.rlhf4j.core.runtime;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ResidentMemoryTest {

    @Test
    void aResetPeakStartsFromTheCurrentSizeAndGrowsWithNewPages() {
        assumeTrue(Files.isReadable(Path.of("/proc/self/status")), "Linux only");
        byte[] big = new byte[256 << 20];
        java.util.Arrays.fill(big, (byte) 1); // touch every page: resident now
        big = null;
        System.gc();
        long before = ResidentMemory.peakBytes();
        assumeTrue(ResidentMemory.resetPeak(), "kernel without clear_refs 5");
        long afterReset = ResidentMemory.peakBytes();
        assertTrue(afterReset <= before, afterReset + " > " + before);
        assertTrue(afterReset >= ResidentMemory.currentBytes() - (8 << 20), "peak below the current size");
        java.nio.ByteBuffer touched = java.nio.ByteBuffer.allocateDirect(64 << 20);
        for (int i = 0; i < touched.capacity(); i += 4096) {
            touched.put(i, (byte) 1);
        }
        assertTrue(ResidentMemory.peakBytes() >= afterReset, "peak fell");
        assertTrue(ResidentMemory.currentBytes() > 0);
    }
}
