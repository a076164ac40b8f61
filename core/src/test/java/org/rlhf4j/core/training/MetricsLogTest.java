package org.rlhf4j.core.training;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsLogTest {

    @TempDir
    Path dir;

    @Test
    void resumeDropsLinesAfterTheResumedStepAndATornLine() throws Exception {
        Path file = dir.resolve("metrics.jsonl");
        try (MetricsLog log = MetricsLog.open(file, 0)) {
            for (int step = 1; step <= 6; step++) {
                log.log(step, Map.of("loss", 1.0 / step));
            }
        }
        Files.writeString(file, Files.readString(file) + "{\"step\": 7, \"lo", java.nio.file.StandardOpenOption.WRITE);
        try (MetricsLog log = MetricsLog.open(file, 4)) { // resumed from checkpoint step 4
            log.log(5, Map.of("loss", 0.1));
        }
        List<JsonNode> lines = MetricsLog.read(file);
        assertEquals(List.of(1, 2, 3, 4, 5), lines.stream().map(n -> n.get("step").asInt()).toList());
        assertEquals(0.1, lines.get(4).get("loss").asDouble());
        assertEquals(0.25, lines.get(3).get("loss").asDouble()); // kept from the first run

        try (MetricsLog log = MetricsLog.open(file, 0)) { // a fresh run starts empty
            log.log(1, Map.of("loss", 2.0));
        }
        assertEquals(1, MetricsLog.read(file).size());
    }
}
