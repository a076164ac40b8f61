package org.rlhf4j.core.runtime;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.LibUtils;
import ai.djl.util.cuda.CudaUtils;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.rlhf4j.core.kernels.TorchBridge;

/**
 * What {@code rlhf4j doctor} reports: the engine, which libtorch this process loaded (folder,
 * version, binding, BLAS), CUDA and cuDNN, the devices with their memory, and whether the fused
 * kernels run. Loads the engine.
 *
 * @param lines {@code key: value} lines in print order
 * @param gpus GPUs libtorch sees
 * @param fusedKernels whether {@code core.kernels} runs libtorch's fused kernels
 */
public record Diagnostics(List<String> lines, int gpus, boolean fusedKernels) {

    /** Collects the report for this process. */
    public static Diagnostics collect() {
        Engine engine = Engine.getEngine("PyTorch");
        Path libtorch = Path.of(LibUtils.getLibtorchPath());
        boolean javacpp = Files.exists(libtorch.resolve("libjnitorch.so"));
        TorchBridge.Status bridge = TorchBridge.status();
        int gpus = engine.getGpuCount();
        List<String> lines = new ArrayList<>();
        lines.add("engine: " + engine.getEngineName() + " (DJL " + Engine.getDjlVersion() + ")");
        lines.add("libtorch: " + engine.getVersion() + " from " + libtorch);
        lines.add("binding: " + (javacpp ? "JavaCPP presets' libtorch (OpenBLAS), shared with DJL"
                : "DJL's own libtorch (MKL)") + "; " + TorchBridge.SWITCH + "=" + TorchBridge.requested());
        lines.add("cuda: " + (CudaUtils.hasCuda() ? "runtime " + CudaUtils.getCudaVersionString() : "not available")
                + "; GPUs seen by libtorch: " + gpus);
        lines.add("cudnn: " + cudnn(bridge.active(), gpus));
        lines.add("device cpu: " + java.lang.Runtime.getRuntime().availableProcessors() + " cores, "
                + mib(totalMemoryBytes()) + " RAM, JVM heap max " + mib(java.lang.Runtime.getRuntime().maxMemory()));
        for (int i = 0; i < gpus; i++) {
            MemoryUsage memory = CudaUtils.getGpuMemory(Device.gpu(i));
            lines.add("device gpu:" + i + ": compute capability " + CudaUtils.getComputeCapability(i) + ", "
                    + mib(memory.getCommitted()) + " used of " + mib(memory.getMax()));
        }
        lines.add("fused kernels: " + bridge.description());
        String how = bridge.active() ? "fused (libtorch)" : "DJL composition";
        lines.add("  attention: " + how + "; silu: " + how + "; clip_grad_norm: " + how
                + "; rms_norm: DJL composition (libtorch 2.7.1 has no fused kernel)");
        lines.add(NumericMode.current().describe());
        return new Diagnostics(List.copyOf(lines), gpus, bridge.active());
    }

    private static String cudnn(boolean bridge, int gpus) {
        if (gpus == 0) {
            return "not available (no GPU)";
        }
        if (!bridge) {
            return "unknown (DJL does not report it; run with " + TorchBridge.SWITCH + "=javacpp)";
        }
        return org.bytedeco.pytorch.global.torch.cudnn_is_available() ? "available" : "not available";
    }

    private static long totalMemoryBytes() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize();
        }
        return -1;
    }

    private static String mib(long bytes) {
        return bytes < 0 ? "unknown" : String.format("%,d MiB", bytes >> 20);
    }
}
