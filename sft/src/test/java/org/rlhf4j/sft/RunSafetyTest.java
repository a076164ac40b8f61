package org.rlhf4j.sft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlhf4j.core.training.TrainConfig;
import org.rlhf4j.core.training.TrainingInterruptedException;
import org.rlhf4j.datasets.TrainingSequence;
import org.rlhf4j.testing.TinyModels;

/**
 * Issue 14, items 2, 4 and 7: one run per output directory, a signal stops with a checkpoint, and no
 * leftovers of interrupted saves.
 */
class RunSafetyTest {

    @TempDir
    static Path shared;

    static Path model;
    static final TrainingData DATA = TrainingData.of(SftFixtures.tokenized(SftFixtures.additions(8), 64), List.of());

    /** An SFT run of {@code maxSteps} steps into {@code out}, saving every step. */
    private static SftTrainer trainer(Path out, int maxSteps) throws Exception {
        if (model == null) {
            model = TinyModels.llama(shared.resolve("model"), 32, 2, 5);
        }
        TrainConfig train = SftFixtures.train(maxSteps, 4, 1, 1e-3, "constant", 0, 0, 1, null);
        return new SftTrainer(SftFixtures.config(model, out, train), (t, n) -> DATA);
    }

    @Test
    void aSecondRunIntoTheSameDirectoryIsRefused() throws Exception {
        Path out = shared.resolve("locked");
        List<String> refusals = new ArrayList<>();
        SftTrainer second = trainer(out, 2);
        trainer(out, 2).afterEachStep(policy -> {
            // a second run started while the first trains
            IOException e = assertThrows(IOException.class, second::run);
            refusals.add(e.getMessage());
        }).run();
        assertEquals(2, refusals.size());
        assertTrue(refusals.get(0).contains("is in use by process " + ProcessHandle.current().pid()), refusals.get(0));
        assertTrue(Files.isDirectory(out.resolve("final")), "the first run was not disturbed");
    }

    /**
     * Whether this process ignores SIGINT: a non-interactive shell starts background jobs so (`mvn verify &`
     * in a script), the JVM then installs no handler for it, and a raised SIGINT does nothing.
     */
    private static boolean sigintIgnored() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("SigIgn:")) {
                return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & (1L << 1)) != 0; // bit of signal 2
            }
        }
        return false;
    }

    @Test
    void sigintStopsAtTheEndOfTheStepWithACheckpointAndExitCode130() throws Exception {
        Path out = shared.resolve("sigint");
        // SIGTERM takes the same path where SIGINT cannot arrive (the ignored case above)
        String signal = sigintIgnored() ? "TERM" : "INT";
        SftTrainer trainer = trainer(out, 50).afterEachStep(policy -> {
            if (!Files.exists(out.resolve("checkpoints/step-000002"))) {
                sun.misc.Signal.raise(new sun.misc.Signal(signal)); // as Ctrl-C would; handled on another thread
            }
        });
        TrainingInterruptedException e = assertThrows(TrainingInterruptedException.class, trainer::run);
        assertEquals(signal.equals("INT") ? 130 : 143, e.exitCode());
        assertTrue(e.getMessage().matches("stopped by SIG" + signal
                + ": saved step \\d+ .*rerun the same command to resume"), e.getMessage());
        assertFalse(Files.exists(out.resolve("final")), "stopped well before step 50");
        assertFalse(Files.exists(out.resolve(org.rlhf4j.core.training.RunLock.FILE_NAME)), "the lock is released");
    }

    @Test
    void leftoversOfInterruptedSavesAreRemovedOnStart() throws Exception {
        Path out = shared.resolve("leftovers");
        Path staged = Files.createDirectories(out.resolve("checkpoints/.step-000004.tmp-1b2c"));
        Files.writeString(staged.resolve("model.safetensors"), "half a checkpoint");
        Path finalStaged = Files.createDirectories(out.resolve(".final.tmp-3d4e"));
        trainer(out, 1).run();
        assertFalse(Files.exists(staged));
        assertFalse(Files.exists(finalStaged));
        assertTrue(Files.isDirectory(out.resolve("checkpoints/step-000001")));
    }
}
