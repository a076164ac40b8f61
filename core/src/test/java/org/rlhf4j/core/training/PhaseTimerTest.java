package org.rlhf4j.core.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PhaseTimerTest {

    @Test
    void drainsSecondsPerStepInLapOrderAndStartsAnew() {
        PhaseTimer timer = new PhaseTimer();
        long start = System.nanoTime() - 3_000_000_000L; // a lap that began 3 s ago
        long now = timer.lap("forward", start);
        timer.lap("backward", now);
        timer.lap("forward", System.nanoTime() - 1_000_000_000L); // a second forward of 1 s
        Map<String, Double> line = timer.drain(2);
        assertEquals(List.of("time/forward", "time/backward"), List.copyOf(line.keySet()));
        double forward = line.get("time/forward"); // (3 s + 1 s) / 2 steps, plus the microseconds of the calls
        assertTrue(forward >= 2.0 && forward < 2.1, "time/forward " + forward);
        assertTrue(line.get("time/backward") < 0.1, "time/backward " + line.get("time/backward"));
        assertEquals(Map.of(), timer.drain(1)); // the next window starts empty
    }
}
