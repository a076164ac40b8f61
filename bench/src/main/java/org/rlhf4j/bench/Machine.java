package org.rlhf4j.bench;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

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
 * @param openMpEnvironment the OpenMP variables that change libtorch's threading, as set, or "none"
 */
public record Machine(int cores, String cpuModel, String javaVersion, String djlVersion, String pytorchVersion,
        int intraOpThreads, double loadAverage, String openMpEnvironment) {

    // OMP_WAIT_POLICY decides whether idle worker threads spin or sleep: with another busy
    // process on a 2-core machine, spinning threads made a 2-thread step 10x slower.
    private static final List<String> OPEN_MP_VARIABLES =
            List.of("OMP_NUM_THREADS", "OMP_WAIT_POLICY", "GOMP_SPINCOUNT", "KMP_BLOCKTIME");

    /** Reads the machine; loads the DJL engine if it is not loaded yet. */
    public static Machine current() {
        Engine engine = Engine.getInstance();
        return new Machine(Runtime.getRuntime().availableProcessors(), readCpuModel(), System.getProperty("java.version"),
                Engine.getDjlVersion(), engine.getVersion(), JniUtils.getNumThreads(), currentLoadAverage(), readOpenMpEnvironment());
    }

    /** The 1-minute load average from /proc/loadavg, or NaN where there is none. */
    public static double currentLoadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    private static String readOpenMpEnvironment() {
        String set = OPEN_MP_VARIABLES.stream()
                .filter(name -> System.getenv(name) != null)
                .map(name -> name + "=" + System.getenv(name))
                .collect(Collectors.joining(" "));
        return set.isEmpty() ? "none" : set;
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
