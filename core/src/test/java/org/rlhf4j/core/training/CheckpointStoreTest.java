package org.rlhf4j.core.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlhf4j.core.io.GenerationConfig;
import org.rlhf4j.core.io.SaveDtype;
import org.rlhf4j.core.model.LlamaConfig;
import org.rlhf4j.core.model.LlamaModel;
import org.rlhf4j.core.model.ModelWeights;
import org.rlhf4j.core.optim.AdamW;
import org.rlhf4j.core.optim.AdamWConfig;
import org.rlhf4j.core.pretrained.PretrainedModel;
import org.rlhf4j.core.tokenizer.ByteTokenizer;

class CheckpointStoreTest {

    @TempDir
    Path out;

    static PretrainedModel tinyModel(long seed) {
        LlamaConfig config = LlamaConfig.parse("{\"hidden_size\":16,\"intermediate_size\":32,\"num_hidden_layers\":1,"
                + "\"num_attention_heads\":2,\"vocab_size\":259,\"rms_norm_eps\":1e-5}");
        NDManager manager = NDManager.newBaseManager(Device.cpu());
        ModelWeights weights = ModelWeights.random(config, manager, seed);
        return new PretrainedModel(new LlamaModel(weights), new ByteTokenizer(),
                GenerationConfig.fromModelConfig(config), manager);
    }

    static TrainerState state(int step) {
        return new TrainerState(step, 1, 3, 7L, 1234L, 0, 10, "cosine", 1e-3, 2, 2, 1, 20,
                Map.of("eval_loss", 1.5));
    }

    /** Moves the optimizer off zero so the round trip compares real values: one update from gradient p. */
    static void takeOneStep(PretrainedModel model, AdamW optimizer) {
        try (NDManager scope = model.manager().newSubManager();
                ai.djl.training.GradientCollector gc = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
            scope.tempAttachAll(model.model().weights().asList());
            NDArray loss = null;
            for (NDArray p : model.weights().values()) {
                NDArray term = p.square().sum(); // gradient 2p
                loss = loss == null ? term : loss.add(term);
            }
            gc.backward(loss);
        }
        optimizer.step(1e-2);
    }

    @Test
    void savedCheckpointRoundTripsWeightsOptimizerAndStateExactly() throws Exception {
        for (SaveDtype dtype : List.of(SaveDtype.FLOAT32, SaveDtype.BFLOAT16)) {
            Path dir = out.resolve(dtype.torchName());
            try (PretrainedModel model = tinyModel(1)) {
                model.model().weights().setRequiresGradient(true);
                try (AdamW optimizer = new AdamW(model.weights(), AdamWConfig.withWeightDecay(0.1), model.manager())) {
                    takeOneStep(model, optimizer);
                    CheckpointStore store = new CheckpointStore(dir, dtype, null);
                    Path saved = store.save(model, optimizer, state(5));
                    assertEquals(dir.resolve("checkpoints/step-000005"), saved);
                    assertEquals(saved, store.latest().orElseThrow());
                    assertEquals(dtype == SaveDtype.BFLOAT16, Files.exists(saved.resolve(CheckpointStore.RESUME_WEIGHTS_FILE)));
                    assertEquals(state(5), CheckpointStore.readState(saved));

                    try (PretrainedModel loaded = CheckpointStore.loadModel(saved, Device.cpu(), DataType.FLOAT32)) {
                        for (Map.Entry<String, NDArray> e : model.weights().entrySet()) {
                            assertArrayEquals(e.getValue().toFloatArray(), loaded.weights().get(e.getKey()).toFloatArray(),
                                    0f, e.getKey());
                        }
                        loaded.model().weights().setRequiresGradient(true);
                        try (AdamW restored = new AdamW(loaded.weights(), AdamWConfig.withWeightDecay(0.1), loaded.manager());
                                NDManager a = model.manager().newSubManager();
                                NDManager b = loaded.manager().newSubManager()) {
                            CheckpointStore.loadOptimizer(saved, restored, loaded.manager());
                            Map<String, NDArray> expected = optimizer.exportState(a);
                            Map<String, NDArray> actual = restored.exportState(b);
                            assertEquals(expected.keySet(), actual.keySet());
                            for (String key : expected.keySet()) {
                                assertArrayEquals(expected.get(key).toFloatArray(), actual.get(key).toFloatArray(), 0f, key);
                            }
                            // the 0-d step/<name> entries came back as scalars holding 1
                            String stepKey = AdamW.STEP + "model.norm.weight";
                            assertEquals(0, actual.get(stepKey).getShape().dimension());
                            assertEquals(1L, restored.stepCount("model.norm.weight"));
                        }
                    }
                }
            }
        }
    }

    @Test
    void partialCheckpointsAreIgnoredAndOldOnesPruned() throws Exception {
        try (PretrainedModel model = tinyModel(2)) {
            model.model().weights().setRequiresGradient(true);
            try (AdamW optimizer = new AdamW(model.weights(), AdamWConfig.withWeightDecay(0.0), model.manager())) {
                CheckpointStore store = new CheckpointStore(out, SaveDtype.FLOAT32, 2);
                store.save(model, optimizer, state(2));
                store.save(model, optimizer, state(4));
                store.save(model, optimizer, state(6));
                // limit 2: step 2 is gone
                assertEquals(List.of(store.path(4), store.path(6)), store.complete());

                // a crash mid-save: a staging directory, and a step directory without its state file
                Files.createDirectories(out.resolve("checkpoints/.step-000008.tmp-123"));
                Path torn = Files.createDirectories(store.path(10));
                Files.writeString(torn.resolve("config.json"), "{}");
                Files.writeString(torn.resolve(CheckpointStore.OPTIMIZER_FILE), "");
                assertFalse(CheckpointStore.isComplete(torn));
                assertEquals(store.path(6), store.latest().orElseThrow());
                assertTrue(CheckpointStore.isComplete(store.path(6)));
            }
        }
    }

    @Test
    void noCheckpointDirectoryMeansNothingToResume() throws Exception {
        assertTrue(new CheckpointStore(out, SaveDtype.FLOAT32, null).latest().isEmpty());
    }

    @Test
    void aFullDiskNamesTheCheckpointAndLosesNothingAlreadyWritten() throws Exception {
        try (PretrainedModel model = tinyModel(1)) {
            model.model().weights().setRequiresGradient(true);
            try (AdamW optimizer = new AdamW(model.weights(), AdamWConfig.withWeightDecay(0.1), model.manager())) {
                CheckpointStore store = new CheckpointStore(out, SaveDtype.FLOAT32, null);
                Path first = store.save(model, optimizer, state(1));
                java.io.IOException e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                        () -> store.save(model, optimizer, state(2), staged -> {
                            throw new java.io.IOException("No space left on device"); // what the JDK reports
                        }));
                assertTrue(e.getMessage().startsWith(store.path(2) + ": the checkpoint was not written (No space left"
                        + " on device); nothing already written was changed"), e.getMessage());
                assertEquals(List.of(first), store.complete());
                try (var left = Files.list(out.resolve(CheckpointStore.DIRECTORY))) {
                    assertEquals(List.of(first), left.toList(), "no staging directory is left behind");
                }
            }
        }
    }
}
