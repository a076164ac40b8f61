package org.rlhf4j.core.training;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlhf4j.core.optim.OptimizerStep;

/**
 * The divergence guard's rules without a model: the non-finite streak, the loss-spike rule over a
 * running median, PPO's wording in minibatch updates and iterations, and the counts carried over a
 * checkpoint into the resumed run.
 */
class DivergenceGuardTest {

    private static final OptimizerStep.Result OK = new OptimizerStep.Result(1.0, 1e-3, false);
    private static final OptimizerStep.Result SKIPPED = new OptimizerStep.Result(Double.NaN, 1e-3, true);

    @TempDir
    Path dir;

    private CheckpointStore store() {
        return new CheckpointStore(dir.resolve("out"), null, 1);
    }

    @Test
    void nonFiniteStepsInARowStopTheRunNamingTheirRange() throws IOException {
        DivergenceGuard guard = new DivergenceGuard(3, null, store(), null);
        guard.record(0, 2.0, OK);
        guard.record(1, Double.NaN, SKIPPED);
        guard.record(2, 2.0, OK); // a transient skip resets the count
        guard.record(3, Double.NaN, SKIPPED);
        guard.record(4, Double.NaN, SKIPPED);
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                () -> guard.record(5, Double.NaN, SKIPPED));
        assertTrue(e.getMessage().startsWith("training diverged: loss or gradient norm not finite for 3 consecutive"
                + " steps (steps 4-6, train.max_nonfinite_steps is 3); no checkpoint was written before it"), e.getMessage());
    }

    @Test
    void ppoCountsMinibatchUpdatesWithinIterations() throws IOException {
        DivergenceGuard guard = new DivergenceGuard(3, null, store(), null);
        guard.recordMinibatch(4, SKIPPED);
        guard.recordMinibatch(4, SKIPPED);
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                () -> guard.recordMinibatch(4, SKIPPED));
        assertTrue(e.getMessage().contains("not finite for 3 consecutive minibatch updates (iteration 5,"), e.getMessage());
    }

    @Test
    void aLossAboveFactorTimesItsMedianForStepsInARowStopsTheRun() throws IOException {
        DivergenceGuard guard = new DivergenceGuard(10, new LossSpikeRule(5.0, 3, 20), store(), null);
        for (int s = 0; s < 10; s++) {
            guard.record(s, 1.0 + 0.1 * (s % 3), OK); // median 1.1
        }
        guard.record(10, 5.4, OK); // below 5 x 1.1 = 5.5: not a spike
        guard.record(11, 6.0, OK);
        guard.record(12, 6.0, OK);
        guard.record(13, 1.0, OK); // two spikes, then back: transient
        guard.record(14, 7.0, OK);
        guard.record(15, 8.0, OK);
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class, () -> guard.record(16, 9.0, OK));
        // the median stays that of the losses before the spikes (5.4 and 1.0 joined it): 1.1
        assertTrue(e.getMessage().startsWith("training diverged: loss above 5 x its running median (1.100) for 3"
                + " consecutive steps (15-17, train.max_loss_spike: factor 5, steps 3; the last was 9.000)"), e.getMessage());
    }

    @Test
    void theSpikeRuleWaitsForAHistoryAndIsOffByDefault() throws IOException {
        DivergenceGuard rule = new DivergenceGuard(10, new LossSpikeRule(2.0, 1, 100), store(), null);
        for (int s = 0; s < 9; s++) {
            rule.record(s, s == 0 ? 1.0 : 100.0 * s, OK); // nine losses: fewer than the 10 the median needs
        }
        DivergenceGuard off = new DivergenceGuard(10, null, store(), null);
        assertDoesNotThrow(() -> {
            for (int s = 0; s < 50; s++) {
                off.record(s, s < 20 ? 1.0 : 1e6, OK);
            }
        });
    }

    @Test
    void aResumedRunContinuesTheCountsOfItsCheckpoint() throws IOException {
        CheckpointStore store = store();
        Path good = store.path(2);
        Path during = store.path(4);
        Files.createDirectories(during);
        DivergenceGuard before = new DivergenceGuard(3, new LossSpikeRule(5.0, 3, 20), store, null);
        before.record(0, 1.0, OK);
        before.record(1, 1.0, OK);
        before.checkpointed(good);
        before.record(2, Double.NaN, SKIPPED);
        before.record(3, Double.NaN, SKIPPED);
        before.checkpointed(during); // inside the streak: not the one to fall back to
        before.write(during);

        DivergenceGuard resumed = new DivergenceGuard(3, new LossSpikeRule(5.0, 3, 20), store, during);
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                () -> resumed.record(4, Double.NaN, SKIPPED));
        assertTrue(e.getMessage().contains("for 3 consecutive steps (steps 3-5,")
                && e.getMessage().contains("the last checkpoint before it is " + good), e.getMessage());
    }
}
