package org.rlhf4j.sft;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlhf4j.core.io.FloatTensor;
import org.rlhf4j.core.io.SafetensorsReader;
import org.rlhf4j.core.training.CheckpointStore;
import org.rlhf4j.core.training.MetricsLog;
import org.rlhf4j.core.training.RunDirectory;
import org.rlhf4j.core.training.RunSummary;
import org.rlhf4j.core.training.TrainConfig;
import org.rlhf4j.datasets.TrainingSequence;
import org.rlhf4j.testing.TinyModels;

/** The loop's contracts: exact resume, atomic checkpoints, flat memory, the output directory. */
class SftTrainerTest {

    @TempDir
    static Path shared;

    static Path model;
    static TrainingData data;

    @BeforeAll
    static void fixtures() throws Exception {
        model = TinyModels.llama(shared.resolve("model"), 32, 2, 5);
        List<TrainingSequence> all = SftFixtures.tokenized(SftFixtures.additions(28), 64);
        data = TrainingData.of(all.subList(0, 24), all.subList(24, 28));
    }

    private static TrainConfig resumeRun() {
        // 24 rows / batch 4 = 6 micro-batches an epoch; 8 steps x 2 = 16 micro-batches, across two epoch ends
        return SftFixtures.train(8, 4, 2, 3e-3, "cosine", 2, 4, 4, null);
    }

    private static Map<String, FloatTensor> finalWeights(Path out) throws Exception {
        return SafetensorsReader.readFloats(out.resolve("final/model.safetensors"));
    }

    @Test
    void interruptedAndResumedRunEqualsTheUninterruptedOneBitForBit() throws Exception {
        Path straight = shared.resolve("straight");
        RunSummary a = new SftTrainer(SftFixtures.config(model, straight, resumeRun()), (t, n) -> data).run();
        assertEquals(8, a.step());

        Path interrupted = shared.resolve("interrupted");
        SftConfig config = SftFixtures.config(model, interrupted, resumeRun());
        RunSummary killed = new SftTrainer(config, (t, n) -> data).stopAfter(6).run();
        assertEquals(6, killed.step());
        assertFalse(Files.exists(interrupted.resolve("final")));
        // The kill came while step 6 was being saved: a staging directory and a step directory
        // without its state file. Resume must skip both and take step 4 (mid-epoch: epoch 1, batch 2).
        Files.createDirectories(interrupted.resolve("checkpoints/.step-000006.tmp-1234"));
        Path torn = Files.createDirectories(interrupted.resolve("checkpoints/step-000006"));
        Files.copy(interrupted.resolve("checkpoints/step-000004/config.json"), torn.resolve("config.json"));
        Files.copy(interrupted.resolve("checkpoints/step-000004/optimizer.safetensors"), torn.resolve("optimizer.safetensors"));
        assertEquals(1, CheckpointStore.readState(interrupted.resolve("checkpoints/step-000004")).epoch());
        assertEquals(2, CheckpointStore.readState(interrupted.resolve("checkpoints/step-000004")).batchInEpoch());

        RunSummary resumed = new SftTrainer(config, (t, n) -> data).run();
        assertEquals(4, resumed.resumedFromStep());
        assertEquals(8, resumed.step());

        Map<String, FloatTensor> expected = finalWeights(straight);
        Map<String, FloatTensor> actual = finalWeights(interrupted);
        assertEquals(expected.keySet(), actual.keySet());
        for (String name : expected.keySet()) {
            assertArrayEquals(expected.get(name).values(), actual.get(name).values(), 0f, name); // bit for bit
        }
        assertEquals(a.lastEvalLoss(), resumed.lastEvalLoss(), 0.0);

        // metrics.jsonl reads as one run: steps 5 and 8 (log_every 5) plus evals at 4 and 8, once each
        List<JsonNode> lines = MetricsLog.read(interrupted.resolve(MetricsLog.FILE_NAME));
        List<JsonNode> straightLines = MetricsLog.read(straight.resolve(MetricsLog.FILE_NAME));
        assertEquals(straightLines.stream().map(n -> n.get("step").asInt()).toList(),
                lines.stream().map(n -> n.get("step").asInt()).toList());
        for (int i = 0; i < lines.size(); i++) {
            for (String key : List.of("grad_norm", "learning_rate", "eval_loss", "num_tokens", "epoch")) {
                if (straightLines.get(i).has(key)) {
                    assertEquals(straightLines.get(i).get(key).asDouble(), lines.get(i).get(key).asDouble(), 0.0,
                            key + " at line " + i);
                }
            }
        }
    }

    @Test
    void writesTheOutputLayoutAndKeepsMemoryFlat() throws Exception {
        Path out = shared.resolve("layout");
        TrainConfig train = SftFixtures.train(30, 2, 1, 1e-3, "linear", 0, 10, 10, 2);
        List<Integer> liveArrays = new ArrayList<>();
        RunSummary summary = new SftTrainer(SftFixtures.config(model, out, train), (t, n) -> data)
                .afterEachStep(policy -> liveArrays.add(policy.manager().getManagedArrays().size()))
                .run();
        assertEquals(30, summary.step());
        // the long-lived manager holds as many arrays after 30 steps (with evals and saves) as after 1
        assertEquals(liveArrays.get(0), liveArrays.get(29), "live arrays per step: " + liveArrays);

        assertTrue(Files.isRegularFile(out.resolve(RunDirectory.RESOLVED_CONFIG)));
        assertTrue(Files.readString(out.resolve(RunDirectory.PROVENANCE)).contains("\"pytorch_version\""));
        for (String file : List.of("config.json", "model.safetensors", "generation_config.json", "tokenizer.json",
                "tokenizer_config.json")) {
            assertTrue(Files.isRegularFile(out.resolve("final").resolve(file)), file);
        }
        // save_total_limit 2 keeps steps 20 and 30
        assertEquals(List.of(out.resolve("checkpoints/step-000020"), out.resolve("checkpoints/step-000030")),
                new CheckpointStore(out, org.rlhf4j.core.io.SaveDtype.FLOAT32, 2).complete());
        JsonNode first = MetricsLog.read(out.resolve(MetricsLog.FILE_NAME)).get(0);
        for (String key : List.of("step", "loss", "grad_norm", "learning_rate", "epoch", "num_tokens", "tokens_per_second")) {
            assertTrue(first.has(key), key + " in " + first);
        }

        // Re-running a finished run resumes at its last checkpoint and only re-exports.
        RunSummary again = new SftTrainer(SftFixtures.config(model, out, train), (t, n) -> data).run();
        assertEquals(30, again.resumedFromStep());
        assertEquals(30, again.step());
    }
}
