package org.rlhf4j.reward;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlhf4j.core.io.FloatTensor;
import org.rlhf4j.core.io.SafetensorsReader;
import org.rlhf4j.core.training.CheckpointStore;
import org.rlhf4j.core.training.MetricsLog;
import org.rlhf4j.core.training.RunSummary;
import org.rlhf4j.core.training.TrainConfig;
import org.rlhf4j.datasets.DataConfig;
import org.rlhf4j.testing.TinyModels;

/** The reward trainer's plumbing: accumulation equals a bigger batch, an interrupted run resumes exactly. */
class RewardTrainerTest {

    @TempDir
    static Path dir;

    static Path model;
    static Path train;

    @BeforeAll
    static void init() throws Exception {
        model = TinyModels.llama(dir.resolve("model"), 32, 2, 3);
        train = RewardFixtures.write(dir.resolve("train.jsonl"), RewardFixtures.sums(24, 9, null));
    }

    /** A run over {@code train} in file order (no length grouping, so batches of 2 tile a batch of 4). */
    private static RunSummary run(Path out, int steps, int batch, int accum, int saveEvery) throws Exception {
        TrainConfig t = new TrainConfig(steps, null, batch, accum, 1e-2, 0, "constant", 0.0, 1.0, 64, 1, 0,
                saveEvery, null);
        return new RewardTrainer(new RewardConfig(model.toString(), out.toString(), 0L, "cpu", "float32", "float32",
                new DataConfig(train.toString(), null, null, null, null, false, null), t, RmOptions.defaults())).run();
    }

    private static Map<String, FloatTensor> weights(Path modelDir) throws IOException {
        return SafetensorsReader.readFloats(modelDir.resolve("model.safetensors"));
    }

    @Test
    void twoMicroBatchesOfTwoEqualOneBatchOfFour() throws Exception {
        // One step: the loss and the gradient norm of the accumulated step are the big batch's. The weights
        // after it are no check: AdamW's first update is lr * g / (|g| + eps), the same size whatever the
        // gradient's scale, and where |g| is near eps rounding-level differences move a weight by up to
        // 2.5e-5 (measured). The gradient norm is what shows a wrong normaliser (2 micro-batches: a factor of 2).
        run(dir.resolve("b4"), 1, 4, 1, 0);
        run(dir.resolve("b2x2"), 1, 2, 2, 0);
        JsonNode a = MetricsLog.read(dir.resolve("b4").resolve(MetricsLog.FILE_NAME)).get(0);
        JsonNode b = MetricsLog.read(dir.resolve("b2x2").resolve(MetricsLog.FILE_NAME)).get(0);
        for (String key : List.of("loss", "grad_norm", "accuracy")) {
            assertTrue(a.has(key), a.toString());
            assertEquals(a.get(key).asDouble(), b.get(key).asDouble(), 1e-6 * Math.max(1, Math.abs(a.get(key).asDouble())),
                    key);
        }
        assertTrue(a.get("grad_norm").asDouble() > 1e-3, a.toString());
    }

    @Test
    void anInterruptedRunResumesExactly() throws Exception {
        RunSummary whole = run(dir.resolve("whole"), 4, 4, 1, 2);
        // a run killed after its step-2 checkpoint: the same directory without what came later
        Path split = dir.resolve("split");
        copy(dir.resolve("whole"), split);
        delete(split.resolve(CheckpointStore.DIRECTORY).resolve(CheckpointStore.name(4)));
        delete(split.resolve("final"));
        RunSummary resumed = run(split, 4, 4, 1, 2);
        assertEquals(2, resumed.resumedFromStep());
        assertEquals(4, resumed.step());
        Map<String, FloatTensor> a = weights(whole.finalModel());
        Map<String, FloatTensor> b = weights(resumed.finalModel());
        assertEquals(a.keySet(), b.keySet());
        for (String name : a.keySet()) {
            assertArrayEquals(a.get(name).values(), b.get(name).values(), name);
        }
        assertEquals(Files.readString(dir.resolve("whole").resolve(MetricsLog.FILE_NAME)).lines()
                        .map(RewardTrainerTest::withoutTimes).toList(),
                Files.readString(split.resolve(MetricsLog.FILE_NAME)).lines().map(RewardTrainerTest::withoutTimes)
                        .toList());
    }

    /** A metrics line without its wall-clock fields, which differ between any two runs. */
    private static String withoutTimes(String line) {
        return line.replaceAll("\"time/[^\"]*\":[^,}]*,?", "").replaceAll("\"(tokens_per_second|elapsed)\":[^,}]*,?", "");
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path p : paths.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    private static void delete(Path tree) throws IOException {
        try (Stream<Path> paths = Files.walk(tree)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
