package org.rlhf4j.core.runtime;

/**
 * Process-wide DJL settings that must be in place before the engine loads: offline mode (so a
 * missing native library fails loudly instead of downloading) and no telemetry.
 */
public final class Runtime {

    private Runtime() {}

    /** Call first thing in every entry point (CLI, benchmarks); idempotent. */
    public static void configureOffline() {
        System.setProperty("ai.djl.offline", "true");
        // DJL reads OPT_OUT_TRACKING from the environment or, failing that, the system properties.
        System.setProperty("OPT_OUT_TRACKING", "true");
        // libtorch logs a warning per process about NNPACK on some CPUs; it is noise here.
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
    }
}
