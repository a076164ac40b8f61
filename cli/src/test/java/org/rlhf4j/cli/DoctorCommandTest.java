package org.rlhf4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.rlhf4j.core.kernels.TorchBridge;

class DoctorCommandTest {

    @Test
    void reportsEngineLibtorchDevicesAndKernels() {
        CliRunner.Outcome o = CliRunner.run("doctor");
        assertEquals(0, o.exitCode(), o.err());
        String out = o.out();
        assertTrue(out.contains("engine: PyTorch"), out);
        assertTrue(out.contains("libtorch: 2.7.1 from /"), out);
        assertTrue(out.contains("cuda: "), out);
        assertTrue(out.contains("device cpu: "), out);
        boolean javacpp = TorchBridge.requested().startsWith("javacpp");
        assertTrue(out.contains(javacpp ? "JavaCPP presets' libtorch" : "DJL's own libtorch"), out);
        assertTrue(out.contains("fused kernels: " + (javacpp ? "active" : "inactive")), out);
        assertTrue(out.contains("attention: " + (javacpp ? "fused (libtorch)" : "DJL composition")), out);
    }
}
