package org.rlhf4j.bench;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What a benchmark ran on, read once the engine is loaded, so that figures from different
 * machines are not compared blindly.
 *
 * @param cores logical processors the JVM sees
 * @param cpuModel the first {@code model name} in /proc/cpuinfo
 * @param javaVersion the running JVM's version
 * @param djlVersion DJL's version
 * @param pytorchVersion the version of the loaded libtorch
 * @param intraOpThreads libtorch's intra-op thread count as actually set
 * @param loadAverage the 1-minute load average when this was read (other processes' share of the cores)
 */
public record Machine(int cores, String cpuModel, String javaVersion, String djlVersion, String pytorchVersion,
        int intraOpThreads, double loadAverage) {

    /** Reads the machine; loads the DJL engine if it is not loaded yet. */
    public static Machine current() {
        Engine engine = Engine.getInstance();
        return new Machine(Runtime.getRuntime().availableProcessors(), readCpuModel(), System.getProperty("java.version"),
                Engine.getDjlVersion(), engine.getVersion(), JniUtils.getNumThreads(), currentLoadAverage());
    }

    /** The 1-minute load average from /proc/loadavg, or NaN where there is none. */
    public static double currentLoadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    private static String readCpuModel() {
        try {
            Optional<String> line = Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name"))
                    .findFirst();
            return line.map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown");
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }
}
