package org.rlhf4j.ppo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlhf4j.core.io.FloatTensor;
import org.rlhf4j.core.io.SafetensorsReader;
import org.rlhf4j.core.training.CheckpointStore;
import org.rlhf4j.core.training.TrainConfig;
import org.rlhf4j.core.training.TrainingDivergedException;

/**
 * A PPO run that blows up stops as diverged: continued at {@code lr} 1e9, the policy's weights
 * overflow, its KL and losses turn non-finite, each such update is skipped, and after
 * {@code train.max_nonfinite_steps} of them in a row the run ends naming the last checkpoint
 * written before, whose weights are finite.
 */
class PpoDivergenceTest {

    @TempDir
    Path dir;

    @Test
    void runawayLearningRateStopsTheRunAtTheLastFiniteCheckpoint() throws Exception {
        Path sft = PpoFixtures.letterPolicy(dir, 16, 10);
        Path prompts = PpoFixtures.prompts(dir.resolve("prompts.jsonl"));
        Path out = dir.resolve("run");
        assertEquals(2, new PpoTrainer(PpoFixtures.config(sft, prompts, out, 2, 2)).run().step());

        PpoConfig base = PpoFixtures.config(sft, prompts, out, 8, 2);
        TrainConfig t = base.train();
        TrainConfig runaway = new TrainConfig(t.maxSteps(), t.epochs(), t.batchSize(), t.gradAccum(), 1e9,
                t.warmupSteps(), t.schedule(), t.weightDecay(), t.maxGradNorm(), t.maxSeqLen(), t.logEvery(),
                t.evalEvery(), t.saveEvery(), t.saveTotalLimit(), 3, null);
        PpoConfig config = new PpoConfig(base.model(), base.outputDir(), base.seed(), base.device(), base.dtype(),
                base.saveDtype(), base.data(), runaway, base.ppo(), base.rewards());
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                () -> new PpoTrainer(config).run());

        Path lastGood = out.resolve(CheckpointStore.DIRECTORY).resolve(CheckpointStore.name(2));
        assertTrue(e.getMessage().contains("not finite for 3 consecutive minibatch updates (iteration")
                && e.getMessage().contains(lastGood.toString()), e.getMessage());
        for (Map.Entry<String, FloatTensor> w : SafetensorsReader.readFloats(lastGood.resolve("model.safetensors"))
                .entrySet()) {
            for (float v : w.getValue().values()) {
                assertTrue(Float.isFinite(v), w.getKey() + " is finite in " + lastGood);
            }
        }
    }
}
