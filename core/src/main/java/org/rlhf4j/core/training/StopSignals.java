package org.rlhf4j.core.training;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGTERM and SIGINT (Ctrl-C) while a run trains: the first asks the loop to finish its step,
 * write a checkpoint and stop ({@link TrainingRun#stopIfSignalled}); a second exits at once, as
 * the user asked twice. The JVM's own handlers, which would exit without a checkpoint, are put
 * back on {@link #close}.
 */
final class StopSignals implements AutoCloseable {

    /** Each handled signal and the exit code a command stopped by it returns (128 + its number). */
    private static final Map<String, Integer> EXIT_CODES = Map.of("TERM", 143, "INT", 130);

    private final Map<Signal, SignalHandler> previous = new LinkedHashMap<>();
    private volatile String received; // null until the first signal

    private StopSignals() {}

    /** Handles SIGTERM and SIGINT until closed; a signal the JVM does not let us handle keeps its default. */
    static StopSignals install() {
        StopSignals signals = new StopSignals();
        for (String name : EXIT_CODES.keySet()) {
            try {
                Signal signal = new Signal(name);
                signals.previous.put(signal, Signal.handle(signal, signals::handle));
            } catch (IllegalArgumentException unavailable) {
                // e.g. the JVM runs with -Xrs, or the platform has no such signal: the default stays
            }
        }
        return signals;
    }

    private void handle(Signal signal) {
        if (received != null) {
            System.err.printf("%nSIG%s again: exiting at once, without a checkpoint%n", signal.getName());
            Runtime.getRuntime().halt(exitCode(signal.getName()));
        }
        received = signal.getName();
        System.err.printf("%nSIG%s: finishing this step and saving a checkpoint (send it again to exit at once)%n",
                signal.getName());
    }

    /** The name ({@code TERM}, {@code INT}) of the first signal received, if any. */
    Optional<String> received() {
        return Optional.ofNullable(received);
    }

    /** The exit code of a command stopped by {@code name}. */
    static int exitCode(String name) {
        return EXIT_CODES.getOrDefault(name, 1);
    }

    @Override
    public void close() {
        previous.forEach(Signal::handle);
    }
}
