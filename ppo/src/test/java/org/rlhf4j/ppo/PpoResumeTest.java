package org.rlhf4j.ppo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlhf4j.core.io.FloatTensor;
import org.rlhf4j.core.io.SafetensorsReader;
import org.rlhf4j.core.training.CheckpointStore;
import org.rlhf4j.core.training.MetricsLog;
import org.rlhf4j.core.training.RunSummary;

/**
 * A PPO run killed after iteration 3 and resumed from its checkpoint at 2 ends exactly where the
 * uninterrupted run ends: the same actor and critic weights and the same metrics, bit for bit. The
 * options exercise everything a checkpoint must carry besides the weights: the adaptive KL
 * coefficient and the running reward moments ({@code ppo_state.json}), the prompt position across an
 * epoch end (16 prompts, batches of 8) and the AdamW moments of both optimizers.
 */
class PpoResumeTest {

    @TempDir
    static Path shared;
    static Path sft;
    static Path prompts;
    static Path ptxText;

    @BeforeAll
    static void policy() throws Exception {
        sft = PpoFixtures.letterPolicy(shared, 16, 20);
        prompts = PpoFixtures.prompts(shared.resolve("prompts.jsonl"));
        ptxText = PpoFixtures.ptxText(shared.resolve("ptx.txt"), 10, 0);
    }

    /**
     * Five iterations, checkpoints at 2, 4 and 5; k3 KL, adaptive coefficient, running norm, clip, EOS penalty,
     * PPO-ptx (10 documents in batches of 4: its stream crosses epochs, and its position must be restored).
     */
    private static PpoConfig config(Path out) {
        PpoConfig base = PpoFixtures.config(sft, prompts, out, 5, 2);
        return new PpoConfig(base.model(), base.outputDir(), base.seed(), base.device(), base.dtype(),
                base.saveDtype(), base.data(), base.train(), options(null).withPtx(0.5, ptxText.toString()),
                base.rewards());
    }

    /** The options above, with {@code referenceModel} as {@code ppo.reference_model}. */
    static PpoOptions options(String referenceModel) {
        return new PpoOptions(referenceModel, null, 5e-3, 64, 4, 1.0, null, null, 2, 4, 0.05, KlEstimator.K3, 0.5, 100,
                null, null, null, null, null, 0.01, null, RewardNorm.RUNNING, 1.5, 0.5, 2, 2);
    }

    @Test
    void killedAndResumedRunEqualsTheUninterruptedOne() throws Exception {
        Path straight = shared.resolve("straight");
        RunSummary a = new PpoTrainer(config(straight)).run();
        assertEquals(5, a.step());

        Path interrupted = shared.resolve("interrupted");
        // The observer runs after the iteration's checkpoint (if any): throwing there is a kill after iteration 3.
        assertThrows(Killed.class, () -> new PpoTrainer(config(interrupted)).observe((iteration, timings, line) -> {
            if (iteration == 3) {
                throw new Killed();
            }
        }).run());
        assertFalse(Files.exists(interrupted.resolve("final")));
        RunSummary resumed = new PpoTrainer(config(interrupted)).run();
        assertEquals(2, resumed.resumedFromStep());
        assertEquals(5, resumed.step());
        assertEquals(a.lastTrain("objective/scores"), resumed.lastTrain("objective/scores"), 0.0);
        assertEquals(a.lastTrain("objective/kl"), resumed.lastTrain("objective/kl"), 0.0);

        assertSameTensors(straight.resolve("final/model.safetensors"), interrupted.resolve("final/model.safetensors"));
        Path critic = Path.of("checkpoints", CheckpointStore.name(5), PpoTrainer.CRITIC_DIR, "model.safetensors");
        assertSameTensors(straight.resolve(critic), interrupted.resolve(critic));
        assertTrue(Files.readString(straight.resolve("checkpoints").resolve(CheckpointStore.name(2))
                .resolve(PpoState.FILE_NAME)).contains("ptx_position"), "the PPO-ptx stream's position is saved");
        // metrics.jsonl reads as one run: iteration 3's first line was dropped on resume
        List<JsonNode> expected = MetricsLog.read(straight.resolve(MetricsLog.FILE_NAME));
        List<JsonNode> actual = MetricsLog.read(interrupted.resolve(MetricsLog.FILE_NAME));
        assertEquals(5, actual.size());
        for (int i = 0; i < expected.size(); i++) {
            Iterator<String> keys = expected.get(i).fieldNames();
            while (keys.hasNext()) {
                String key = keys.next();
                if (!key.startsWith("time/") && !key.startsWith("memory/")) {
                    assertEquals(expected.get(i).get(key), actual.get(i).get(key), key + " at line " + i);
                }
            }
        }
    }

    static void assertSameTensors(Path expectedFile, Path actualFile) throws Exception {
        Map<String, FloatTensor> expected = SafetensorsReader.readFloats(expectedFile);
        Map<String, FloatTensor> actual = SafetensorsReader.readFloats(actualFile);
        assertEquals(expected.keySet(), actual.keySet());
        for (String name : expected.keySet()) {
            assertArrayEquals(expected.get(name).values(), actual.get(name).values(), 0f, name); // bit for bit
        }
    }

    /** The simulated kill. */
    private static final class Killed extends RuntimeException {
        private static final long serialVersionUID = 1L;
    }
}
