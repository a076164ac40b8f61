package org.rlhf4j.core.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.rlhf4j.core.optim.OptimizerStep;

class MetricWindowTest {

    @Test
    void drainsTheMeanLossWithTheStageMetricsBetweenLossAndTheOptimizerFigures() {
        MetricWindow window = new MetricWindow();
        window.add(2.0, 10);
        window.add(1.0, 30);
        assertEquals(2, window.steps());
        Map<String, Object> line = window.drain(Map.of("accuracy", 0.75), new OptimizerStep.Result(0.5, 1e-3, false),
                1.25, 400, 0);
        assertEquals(List.of("loss", "accuracy", "grad_norm", "learning_rate", "epoch", "num_tokens",
                "tokens_per_second"), List.copyOf(line.keySet()));
        assertEquals(1.5, line.get("loss")); // (2 + 1) / 2
        assertEquals(0.75, line.get("accuracy"));
        assertEquals(0.5, line.get("grad_norm"));
        assertEquals(1e-3, line.get("learning_rate"));
        assertEquals(1.25, line.get("epoch"));
        assertEquals(400L, line.get("num_tokens"));
        assertTrue((double) line.get("tokens_per_second") > 0); // 40 tokens over the window's wall time
    }

    @Test
    void startsANewWindowAfterADrainAndReportsSkippedStepsOnlyWhenThereAreSome() {
        MetricWindow window = new MetricWindow();
        window.add(4.0, 8);
        window.drain(Map.of(), new OptimizerStep.Result(1, 1, false), 0, 8, 0);
        assertEquals(0, window.steps());
        window.add(1.0, 8);
        Map<String, Object> line = window.drain(Map.of(), new OptimizerStep.Result(Double.NaN, 1, true), 0, 16, 2);
        assertEquals(1.0, line.get("loss")); // the first window's 4.0 is gone
        assertEquals(2, line.get("skipped_steps"));
        assertFalse(new MetricWindow().drain(Map.of(), new OptimizerStep.Result(1, 1, false), 0, 0, 0)
                .containsKey("skipped_steps"));
        assertEquals(0.0, new MetricWindow().drain(Map.of(), new OptimizerStep.Result(1, 1, false), 0, 0, 0)
                .get("loss")); // an empty window: 0 / max(1, 0)
    }
}
