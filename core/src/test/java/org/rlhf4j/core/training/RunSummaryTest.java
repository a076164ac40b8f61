package org.rlhf4j.core.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class RunSummaryTest {

    private static RunSummary summary(Map<String, Double> lastEval) {
        return new RunSummary(20, 20, 0, Map.of("loss", 0.5, "accuracy", 0.75), lastEval, null, 0, Map.of());
    }

    @Test
    void headlineNamesTheFiguresTheRunHasInTheOrderGiven() {
        assertEquals(String.format("trained to step 20/20: loss %.4f, accuracy %.4f, eval_accuracy %.4f", 0.5, 0.75,
                0.8), summary(Map.of("eval_accuracy", 0.8)).headline("loss", "accuracy", "eval_accuracy"));
        // without an eval split the eval figures are left out, not printed as NaN
        assertEquals(String.format("trained to step 20/20: loss %.4f", 0.5),
                summary(Map.of()).headline("loss", "eval_loss"));
    }

    @Test
    void missingFiguresReadAsNaN() {
        RunSummary s = summary(Map.of());
        assertEquals(0.5, s.lastLoss());
        assertTrue(Double.isNaN(s.lastEvalLoss()));
        assertTrue(Double.isNaN(s.lastTrain("grad_norm")));
    }
}
