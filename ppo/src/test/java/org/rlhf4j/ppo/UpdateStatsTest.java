package org.rlhf4j.ppo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.rlhf4j.core.optim.OptimizerStep;

/** The update phase's statistics: means over its steps, the first step's mismatch, the last step's optimizer. */
class UpdateStatsTest {

    @Test
    void meansOfTheStepsAndTheLastOptimizerStep() {
        UpdateStats.Sum sum = new UpdateStats.Sum();
        // policy loss (0.5 + -0.1) / 2 = 0.2; value loss (2 + 1) / 2 = 1.5; clip fractions (0.25 + 0) / 2,
        // (0 + 0.5) / 2; approx KL (0.01 + 0.03) / 2 = 0.02; entropy (3 + 1) / 2 = 2
        sum.add(new UpdateStats.Step(0.5, 2, 0.25, 0, 0.01, 3, 1e-7, 0.5, 0, 2.5), new OptimizerStep.Result(9, 1e-3, false),
                new OptimizerStep.Result(8, 2e-3, false));
        sum.add(new UpdateStats.Step(-0.1, 1, 0, 0.5, 0.03, 1, Double.NaN, 0.1, 0.2, 1.5), new OptimizerStep.Result(4, 5e-4, false),
                new OptimizerStep.Result(3, 1e-3, false));
        UpdateStats stats = sum.mean(1);
        assertEquals(0.2, stats.policyLoss(), 1e-12);
        assertEquals(1.5, stats.valueLoss(), 1e-12);
        assertEquals(0.125, stats.policyClipfrac(), 1e-12);
        assertEquals(0.25, stats.valueClipfrac(), 1e-12);
        assertEquals(0.02, stats.approxKl(), 1e-12);
        assertEquals(2, stats.entropy(), 1e-12);
        assertEquals(1e-7, stats.logprobMismatch(), 0, "the first step's, measured before any update");
        assertEquals(1, stats.epochs());
        assertEquals(5e-4, stats.learningRate(), 0);
        assertEquals(4, stats.actorGradNorm(), 0);
        assertEquals(3, stats.criticGradNorm(), 0);
        assertEquals(0.3, stats.clipLow(), 1e-12); // (0.5 + 0.1) / 2
        assertEquals(0.1, stats.clipHigh(), 1e-12); // (0 + 0.2) / 2
        assertEquals(2.0, stats.ptxLoss(), 1e-12); // (2.5 + 1.5) / 2
    }
}
