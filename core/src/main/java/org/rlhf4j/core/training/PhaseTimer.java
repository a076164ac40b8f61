package org.rlhf4j.core.training;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where the optimizer steps since the last metrics line spent their wall time, per phase, logged
 * as {@code time/<phase>} in seconds per optimizer step ({@code time/collate},
 * {@code time/forward}, {@code time/backward}, {@code time/optimizer}, and {@code time/step} for
 * the whole step from fetching its rows to the update, evaluation and checkpoints left out).
 *
 * <p>A phase is timed as a lap: {@code t = timer.lap("forward", t)} adds the time since
 * {@code t} to {@code forward} and returns now, where the next phase starts. libtorch on the CPU
 * runs each op synchronously, so the wall time around a call is that call's compute; on a GPU a
 * kernel may finish in the next phase that reads a value back.
 */
public final class PhaseTimer {

    private final Map<String, Long> nanos = new LinkedHashMap<>();

    /** Adds the time from {@code since} ({@link System#nanoTime}) to now to {@code phase}; returns now. */
    public long lap(String phase, long since) {
        long now = System.nanoTime();
        nanos.merge(phase, now - since, Long::sum);
        return now;
    }

    /** {@code time/<phase>}: each phase's seconds per step over {@code steps} steps, in lap order; then starts anew. */
    public Map<String, Double> drain(int steps) {
        Map<String, Double> out = new LinkedHashMap<>();
        nanos.forEach((phase, total) -> out.put("time/" + phase, total / 1e9 / Math.max(1, steps)));
        nanos.clear();
        return out;
    }
}
