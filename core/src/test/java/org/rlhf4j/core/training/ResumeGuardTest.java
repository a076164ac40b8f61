package org.rlhf4j.core.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlhf4j.core.config.UserException;

class ResumeGuardTest {

    @TempDir
    Path dir;

    private static TrainConfig train(int batchSize, int gradAccum, double lr) {
        return new TrainConfig(10, null, batchSize, gradAccum, lr, 2, "linear", null, null, null, null, null, null,
                null);
    }

    /** A checkpoint after 4 steps of a run with seed 7, batch 2, accumulation 3 over 50 rows. */
    private Path checkpoint() throws IOException {
        TrainerState saved = TrainerState.start(7, train(2, 3, 1e-3), 3, 50, 10)
                .advance(4, 1, 5, 120, 1)
                .withBest("eval_loss", 0.5);
        Files.writeString(dir.resolve(TrainerState.FILE_NAME), saved.toJson());
        return dir;
    }

    @Test
    void resumesAtTheSavedPositionUnderTheConfigsSchedule() throws IOException {
        TrainerState s = ResumeGuard.resume(checkpoint(), 7, train(2, 3, 5e-4), "the number of training pairs", 50,
                20);
        assertEquals(new TrainerState(4, 1, 5, 7, 120, 1, 20, "linear", 5e-4, 2, 2, 3, 50, Map.of("eval_loss", 0.5)),
                s);
    }

    @Test
    void namesTheKeyThatChanged() throws IOException {
        Path c = checkpoint();
        UserException seed = assertThrows(UserException.class,
                () -> ResumeGuard.resume(c, 8, train(2, 3, 1e-3), "rows", 50, 10));
        assertEquals(c + ": cannot resume exactly: seed was 7, the config now gives 8; restore it or use a new"
                + " output_dir", seed.getMessage());
        assertMessageNames("train.batch_size was 2", () -> ResumeGuard.resume(c, 7, train(4, 3, 1e-3), "rows", 50, 10));
        assertMessageNames("train.grad_accum was 3", () -> ResumeGuard.resume(c, 7, train(2, 1, 1e-3), "rows", 50, 10));
        assertMessageNames("the number of training pairs was 50, the config now gives 49",
                () -> ResumeGuard.resume(c, 7, train(2, 3, 1e-3), "the number of training pairs", 49, 10));
    }

    private static void assertMessageNames(String expected, org.junit.jupiter.api.function.Executable call) {
        String message = assertThrows(UserException.class, call).getMessage();
        assertEquals(true, message.contains(expected), message);
    }

    @Test
    void advanceAddsTokensAndKeepsTheRunsFixedFields() {
        TrainerState s = TrainerState.start(3, train(2, 1, 1e-3), 1, 9, 10);
        assertEquals(new TrainerState(0, 0, 0, 3, 0, 0, 10, "linear", 1e-3, 2, 2, 1, 9, Map.of()), s);
        TrainerState next = s.advance(1, 0, 1, 40, 0).advance(2, 1, 0, 2, 1);
        assertEquals(new TrainerState(2, 1, 0, 3, 42, 1, 10, "linear", 1e-3, 2, 2, 1, 9, Map.of()), next); // 40 + 2
    }
}
