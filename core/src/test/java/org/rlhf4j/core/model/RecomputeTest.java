package org.rlhf4j.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.rlhf4j.core.lora.LoraAdapter;
import org.rlhf4j.core.lora.LoraAdapters;
import org.rlhf4j.core.lora.LoraConfig;
import org.rlhf4j.core.ops.Scalars;

/**
 * Activation checkpointing and the chunked LM head change memory, not results: the loss, the
 * per-token log-probs and entropies, and every parameter's gradient equal those of the plain
 * forward pass (1e-6, float32), with padding on both sides, a fully masked row, chunks that do not
 * divide the token count, and chunks of one token.
 */
class RecomputeTest {

    private static final NDIndex ALL_BUT_LAST = new NDIndex(":, :-1, :");
    private static final NDIndex ALL_BUT_FIRST = new NDIndex(":, 1:");
    private static final float TOLERANCE = 1e-6f;

    /** The value and the gradient of every parameter of one loss. */
    private record Outcome(float loss, float[] logps, float[] entropy, Map<String, float[]> gradients) {}

    /**
     * A PPO-like loss that reads both the log-probs and the entropies, over a left-padded row, a
     * right-padded row and a row whose targets are all masked: {@code -sum(mask * (logp * w + 0.1 * H))}
     * with per-token weights w, at temperature 0.7.
     */
    private static Outcome run(LlamaModel model, NDManager m, MemoryOptions options, boolean entropy) {
        NDArray ids = m.create(new long[][] {{0, 0, 4, 9, 13, 7, 22}, {21, 6, 44, 19, 3, 0, 0}, {5, 8, 1, 2, 3, 4, 6}});
        NDArray mask = m.create(new long[][] {{0, 0, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 1, 0, 0}, {1, 1, 1, 1, 1, 1, 1}});
        float[][] targetMask = {{0, 0, 0, 1, 1, 1, 1}, {0, 1, 1, 1, 1, 0, 0}, {0, 0, 0, 0, 0, 0, 0}};
        try (Recompute tape = Recompute.install(options); NDManager scope = m.newSubManager()) {
            scope.tempAttachAll(model.weights().asList());
            NDArray weights = scope.create(new float[][] {{1, 1, 1, 0.5f, 2, 1}, {1, 3, 1, 1, 1, 1}, {1, 1, 1, 1, 1, 1}});
            NDArray lossMask = scope.create(targetMask).get(ALL_BUT_FIRST); // (3, 6)
            Outcome out;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray hidden = model.hidden(ids, mask); // (3, 7, D)
                LmHeadLogps.Scores s = LmHeadLogps.of(model, hidden.get(ALL_BUT_LAST), ids.get(ALL_BUT_FIRST), 0.7,
                        entropy); // (3, 6) each
                NDArray perToken = s.logps().mul(weights);
                if (entropy) {
                    perToken = perToken.add(s.entropy().mul(Scalars.of(scope, 0.1)));
                }
                NDArray loss = perToken.mul(lossMask).sum().neg(); // ()
                Recompute.backward(gc, loss);
                Map<String, float[]> grads = new LinkedHashMap<>();
                for (Map.Entry<String, NDArray> e : model.weights().asMap().entrySet()) {
                    if (e.getValue().hasGradient()) {
                        grads.put(e.getKey(), e.getValue().getGradient().toFloatArray());
                    }
                }
                out = new Outcome(loss.getFloat(), s.logps().toFloatArray(),
                        entropy ? s.entropy().toFloatArray() : null, grads);
            }
            for (NDArray p : model.weights().asList()) {
                JniUtils.zeroGrad((PtNDArray) p); // does nothing where there is no gradient
            }
            return out;
        }
    }

    private static void assertSame(Outcome expected, Outcome actual, String what) {
        // the summed loss is O(40): 1e-6 relative is a float32 rounding of it
        assertEquals(expected.loss(), actual.loss(), TOLERANCE * Math.abs(expected.loss()), what + ": loss");
        assertArrayClose(expected.logps(), actual.logps(), what + ": logps");
        if (expected.entropy() != null) {
            assertArrayClose(expected.entropy(), actual.entropy(), what + ": entropy");
        }
        double largest = 0;
        for (String name : expected.gradients().keySet()) {
            float[] e = expected.gradients().get(name);
            assertArrayClose(e, actual.gradients().get(name), what + ": gradient of " + name);
            for (float v : e) {
                largest = Math.max(largest, Math.abs(v));
            }
        }
        assertTrue(largest > 1e-3, what + ": gradients are not trivially zero, max |g| " + largest);
    }

    /**
     * Each entry within 1e-6 of the expected one, times the array's largest magnitude when that
     * exceeds 1: a chunked head sums the head's gradient over chunks instead of in one matmul,
     * which moves float32 sums of O(1) values by a few ulps.
     */
    private static void assertArrayClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        float scale = 1;
        for (float v : expected) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], TOLERANCE * scale, what + "[" + i + "]");
        }
    }

    private static LlamaModel model(NDManager m, String extra, long seed) {
        ModelWeights weights = ModelWeights.random(TinyModels.config(extra), m, seed);
        weights.setRequiresGradient(true);
        return new LlamaModel(weights);
    }

    @Test
    void checkpointedAndChunkedGradientsEqualThePlainOnes() {
        try (NDManager m = NDManager.newBaseManager()) {
            // GQA with q/k/v/o biases and an untied head: every kind of tensor
            LlamaModel model = model(m, ",\"num_key_value_heads\":2,\"attention_bias\":true", 3);
            for (boolean entropy : new boolean[] {false, true}) {
                Outcome plain = run(model, m, new MemoryOptions(false, 0), entropy);
                assertSame(plain, run(model, m, new MemoryOptions(true, 0), entropy), "checkpointed");
                // 18 tokens: chunks of 4 leave 2 over; 1 is the extreme; 18 is one chunk (the plain path)
                for (int chunk : new int[] {1, 4, 18}) {
                    assertSame(plain, run(model, m, new MemoryOptions(false, chunk), entropy), "chunk " + chunk);
                    assertSame(plain, run(model, m, new MemoryOptions(true, chunk), entropy),
                            "checkpointed, chunk " + chunk);
                }
            }
        }
    }

    /** LoRA adapters' loss and gradients with dropout 0.3, one step's masks seeded alike for both runs. */
    private static Outcome loraRun(LlamaModel model, LoraAdapters adapters, NDManager m, MemoryOptions options) {
        adapters.startStep(11, 0);
        NDArray ids = m.create(new long[][] {{0, 0, 4, 9, 13, 7, 22}, {21, 6, 44, 19, 3, 0, 0}});
        NDArray mask = m.create(new long[][] {{0, 0, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 1, 0, 0}});
        try (Recompute tape = Recompute.install(options); NDManager scope = m.newSubManager()) {
            scope.tempAttachAll(model.weights().asList());
            Outcome out;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray hidden = model.hidden(ids, mask); // (2, 7, D)
                NDArray logps = LmHeadLogps.of(model, hidden.get(ALL_BUT_LAST), ids.get(ALL_BUT_FIRST), 1.0, false)
                        .logps(); // (2, 6)
                NDArray loss = logps.sum().neg();
                Recompute.backward(gc, loss);
                Map<String, float[]> grads = new LinkedHashMap<>();
                for (Map.Entry<String, NDArray> e : adapters.parameters().entrySet()) {
                    grads.put(e.getKey(), e.getValue().getGradient().toFloatArray());
                }
                out = new Outcome(loss.getFloat(), logps.toFloatArray(), null, grads);
            }
            adapters.parameters().values().forEach(p -> JniUtils.zeroGrad((PtNDArray) p));
            return out;
        }
    }

    @Test
    void loraDropoutSeesTheSameMasksWhenCheckpointed() {
        // the checkpointed forward runs without the tape; it must drop what its recompute drops
        try (NDManager m = NDManager.newBaseManager()) {
            ModelWeights base = ModelWeights.random(TinyModels.config(",\"num_key_value_heads\":2"), m, 3);
            LoraConfig config = new LoraConfig(4, 8.0, 0.3, LoraConfig.KNOWN_TARGETS, null, null);
            try (LoraAdapters adapters = LoraAdapters.create(config, base, m, 7)) {
                for (LoraAdapter adapter : adapters.adapters()) { // B = 0 would hide the masks
                    adapter.b().set(m.randomNormal(0f, 0.5f, adapter.b().getShape(), DataType.FLOAT32).toFloatArray());
                }
                adapters.setRequiresGradient(true);
                LlamaModel model = new LlamaModel(base, adapters);
                Outcome plain = loraRun(model, adapters, m, new MemoryOptions(false, 0));
                assertEquals(plain.loss(), loraRun(model, adapters, m, new MemoryOptions(false, 0)).loss(),
                        "seeded masks: the same step draws the same masks");
                assertSame(plain, loraRun(model, adapters, m, new MemoryOptions(true, 0)), "checkpointed LoRA dropout");
                float withoutDropout = Recompute.withoutTape(() -> { // no tape: scoring, so no dropout
                    NDArray ids = m.create(new long[][] {{0, 0, 4, 9, 13, 7, 22}, {21, 6, 44, 19, 3, 0, 0}});
                    NDArray mask = m.create(new long[][] {{0, 0, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 1, 0, 0}});
                    NDArray hidden = model.hidden(ids, mask);
                    return LmHeadLogps.of(model, hidden.get(ALL_BUT_LAST), ids.get(ALL_BUT_FIRST), 1.0, false).logps()
                            .sum().neg().getFloat();
                });
                assertTrue(Math.abs(plain.loss() - withoutDropout) > 1e-3, "the masks change the loss: "
                        + plain.loss() + " vs " + withoutDropout);
            }
        }
    }

    @Test
    void tiedEmbeddingsGetBothGradientsWhenCheckpointedAndChunked() {
        try (NDManager m = NDManager.newBaseManager()) {
            LlamaModel model = model(m, ",\"tie_word_embeddings\":true", 5);
            assertTrue(!model.weights().contains(WeightLayout.LM_HEAD), "the fixture ties the head");
            Outcome plain = run(model, m, new MemoryOptions(false, 0), false);
            assertSame(plain, run(model, m, new MemoryOptions(true, 5), false), "tied, checkpointed, chunk 5");
        }
    }

    @Test
    void frozenEmbeddingsStayWithoutAGradientWhenCheckpointed() {
        try (NDManager m = NDManager.newBaseManager()) {
            LlamaModel model = model(m, ",\"num_key_value_heads\":2", 4);
            NDArray embedding = model.weights().get(WeightLayout.EMBED);
            embedding.setRequiresGradient(false); // the checkpointed input is then in no graph
            Outcome plain = run(model, m, new MemoryOptions(false, 0), false);
            Outcome checkpointed = run(model, m, new MemoryOptions(true, 4), false);
            plain.gradients().remove(WeightLayout.EMBED);
            checkpointed.gradients().remove(WeightLayout.EMBED);
            assertSame(plain, checkpointed, "frozen embeddings, checkpointed, chunk 4");
        }
    }

    @Test
    void aCheckpointedRewardModelHasThePlainGradients() {
        try (NDManager m = NDManager.newBaseManager()) {
            ModelWeights weights = ModelWeights.random(TinyModels.config(",\"num_key_value_heads\":1,"
                    + "\"architectures\":[\"LlamaForSequenceClassification\"],\"num_labels\":1"), m, 7);
            weights.setRequiresGradient(true);
            LlamaModel model = new LlamaModel(weights);
            NDArray ids = m.create(new long[][] {{0, 4, 9, 13, 7}, {21, 6, 44, 19, 0}});
            NDArray mask = m.create(new long[][] {{0, 1, 1, 1, 1}, {1, 1, 1, 1, 0}});
            Map<String, float[]> expected = null;
            for (boolean checkpointing : new boolean[] {false, true}) {
                Map<String, float[]> grads = new LinkedHashMap<>();
                try (Recompute tape = Recompute.install(new MemoryOptions(checkpointing, 0));
                        NDManager scope = m.newSubManager()) {
                    scope.tempAttachAll(weights.asList());
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray scores = model.lastTokenScores(model.hidden(ids, mask), mask); // (2)
                        Recompute.backward(gc, scores.get(0).sub(scores.get(1)).neg().exp().add(1).log());
                    }
                    for (Map.Entry<String, NDArray> e : weights.asMap().entrySet()) {
                        grads.put(e.getKey(), e.getValue().getGradient().toFloatArray());
                        JniUtils.zeroGrad((PtNDArray) e.getValue());
                    }
                }
                if (expected == null) {
                    expected = grads;
                } else {
                    for (String name : expected.keySet()) {
                        assertArrayClose(expected.get(name), grads.get(name), "reward model gradient of " + name);
                    }
                }
            }
        }
    }

    @Test
    void chunkedScoringWithoutAGraphEqualsOnePieceAndLeavesNoTape() {
        try (NDManager m = NDManager.newBaseManager()) {
            LlamaModel model = model(m, "", 9);
            NDArray ids = m.create(new long[][] {{1, 2, 3, 4, 5}, {6, 7, 8, 9, 10}});
            NDArray hidden = model.hidden(ids, null); // (2, 5, D), grad mode off: no graph
            LmHeadLogps.Scores whole;
            LmHeadLogps.Scores chunked;
            try (Recompute tape = Recompute.install(new MemoryOptions(false, 0))) {
                whole = LmHeadLogps.of(model, hidden, ids, 1.0, true);
            }
            try (Recompute tape = Recompute.install(new MemoryOptions(false, 3))) {
                chunked = LmHeadLogps.of(model, hidden, ids, 1.0, true);
            }
            TinyModels.assertClose(whole.logps(), chunked.logps(), TOLERANCE, "logps");
            TinyModels.assertClose(whole.entropy(), chunked.entropy(), TOLERANCE, "entropy");
            // against the logits computed directly
            NDArray direct = TokenLogps.of(model.logits(hidden), ids); // (2, 5)
            TinyModels.assertClose(direct, chunked.logps(), TOLERANCE, "logps vs TokenLogps");
            assertEquals(DataType.FLOAT32, chunked.logps().getDataType());
            assertNull(LmHeadLogps.of(model, hidden, ids, 1.0, false).entropy());
        }
        assertEquals(MemoryOptions.DEFAULTS, Recompute.options(), "closing a tape uninstalls it");
    }
}
