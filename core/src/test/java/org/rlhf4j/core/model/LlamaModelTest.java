package org.rlhf4j.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rlhf4j.core.model.TinyModels.assertClose;
import static org.rlhf4j.core.model.TinyModels.maxAbsDiff;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LlamaModelTest {

    private static final long[] ROW = {5, 17, 3, 42, 8};

    private NDManager m;

    @BeforeEach
    void open() {
        m = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        m.close();
    }

    private LlamaModel model(String extraJson) {
        return new LlamaModel(withNonzeroBiases(ModelWeights.random(TinyModels.config(extraJson), m, 11)));
    }

    /** Random init has zero biases, which would hide a bias that is read but not applied. */
    private ModelWeights withNonzeroBiases(ModelWeights weights) {
        Map<String, NDArray> tensors = new LinkedHashMap<>(weights.asMap());
        for (String name : weights.asMap().keySet()) {
            if (name.endsWith(".bias")) {
                long n = tensors.get(name).getShape().size();
                tensors.put(name, m.arange(0, (int) n, 1, DataType.FLOAT32).add(name.length()).sin()
                        .mul(m.full(new Shape(), 0.1f)));
            }
        }
        return ModelWeights.of(weights.config(), tensors);
    }

    private NDArray ids(long[]... rows) {
        return m.create(rows);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",                                                        // MHA
        ",\"num_key_value_heads\":2,\"attention_bias\":true",      // GQA, q/k/v/o bias
        ",\"num_key_value_heads\":1,\"model_type\":\"qwen2\"",     // MQA, q/k/v bias
        ",\"model_type\":\"mistral\",\"sliding_window\":3"})       // window shorter than T
    void leftAndRightPaddedRowsEqualTheRowAlone(String extraJson) {
        LlamaModel model = model(extraJson);
        NDArray alone = model.hidden(ids(ROW), null); // (1, 5, D)
        NDArray batch = ids(new long[] {0, 0, 5, 17, 3, 42, 8}, new long[] {5, 17, 3, 42, 8, 0, 0});
        NDArray mask = m.create(new int[][] {{0, 0, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 1, 0, 0}});
        NDArray padded = model.hidden(batch, mask); // (2, 7, D)
        assertEquals(new Shape(2, 7, 32), padded.getShape());
        assertClose(alone.get(0), padded.get(new NDIndex("0, 2:7")), 1e-5f, "left padding");
        assertClose(alone.get(0), padded.get(new NDIndex("1, 0:5")), 1e-5f, "right padding");
        assertTrue(padded.isInfinite().logicalOr(padded.isNaN()).none().getBoolean(), "padding queries stay finite");
    }

    @ParameterizedTest
    @ValueSource(ints = {4, 2, 1})
    void mhaGqaAndMqaProduceHeadShapedOutputs(int kvHeads) {
        LlamaModel model = model(",\"num_key_value_heads\":" + kvHeads);
        NDArray hidden = model.hidden(ids(ROW, ROW), null);
        assertEquals(new Shape(2, 5, 32), hidden.getShape());
        assertEquals(new Shape(2, 5, 50), model.logits(hidden).getShape());
        assertEquals(DataType.FLOAT32, hidden.getDataType());
    }

    @Test
    void groupedQueryAttentionEqualsMhaWithEachKvHeadCopiedToItsGroup() {
        // GQA with H=4, KV=2, hd=8: query heads 0,1 read kv head 0 and 2,3 read kv head 1 (transformers'
        // repeat_kv order). An MHA model whose k/v rows are [kv0, kv0, kv1, kv1] must match it.
        ModelWeights gqa = withNonzeroBiases(ModelWeights.random(
                TinyModels.config(",\"num_key_value_heads\":2,\"attention_bias\":true"), m, 3));
        LlamaConfig mhaConfig = TinyModels.config(",\"attention_bias\":true");
        Map<String, NDArray> mha = new LinkedHashMap<>(gqa.asMap());
        for (String name : gqa.asMap().keySet()) {
            if (name.contains("k_proj") || name.contains("v_proj")) {
                NDArray t = gqa.get(name);
                NDArray head0 = t.get(new NDIndex("0:8"));
                NDArray head1 = t.get(new NDIndex("8:16"));
                mha.put(name, NDArrays.concat(new NDList(head0, head0, head1, head1), 0));
            }
        }
        NDArray input = ids(ROW);
        NDArray expected = new LlamaModel(ModelWeights.of(mhaConfig, mha)).hidden(input, null);
        assertClose(expected, new LlamaModel(gqa).hidden(input, null), 1e-5f, "GQA vs expanded MHA");
    }

    @Test
    void tiedHeadUsesTheEmbeddingsAndUntiedHeadItsOwnMatrix() {
        LlamaModel tied = model(",\"tie_word_embeddings\":true");
        assertFalse(tied.weights().contains(WeightLayout.LM_HEAD));
        NDArray h = tied.hidden(ids(ROW), null);
        NDArray embed = tied.weights().get(WeightLayout.EMBED);
        assertClose(h.matMul(embed.transpose()), tied.logits(h), 1e-5f, "tied logits");

        LlamaModel untied = model("");
        NDArray hu = untied.hidden(ids(ROW), null);
        NDArray head = untied.weights().get(WeightLayout.LM_HEAD);
        assertClose(hu.matMul(head.transpose()), untied.logits(hu), 1e-5f, "untied logits");
        assertTrue(maxAbsDiff(hu.matMul(untied.weights().get(WeightLayout.EMBED).transpose()), untied.logits(hu)) > 1e-3);
    }

    @ParameterizedTest
    @ValueSource(strings = {"self_attn.q_proj.bias", "self_attn.k_proj.bias", "self_attn.v_proj.bias",
        "self_attn.o_proj.bias"})
    void everyAttentionBiasIsApplied(String bias) {
        // Same seed, same names -> the no-bias model shares every other tensor with the biased one.
        NDArray input = ids(ROW);
        NDArray plain = new LlamaModel(ModelWeights.random(TinyModels.config(""), m, 5)).hidden(input, null);
        LlamaConfig biased = TinyModels.config(",\"attention_bias\":true");
        ModelWeights zeroBias = ModelWeights.random(biased, m, 5);
        assertClose(plain, new LlamaModel(zeroBias).hidden(input, null), 1e-6f, "zero biases change nothing");
        Map<String, NDArray> tensors = new LinkedHashMap<>(zeroBias.asMap());
        String name = WeightLayout.layer(0) + bias;
        tensors.put(name, m.full(tensors.get(name).getShape(), 0.5f));
        NDArray shifted = new LlamaModel(ModelWeights.of(biased, tensors)).hidden(input, null);
        assertTrue(maxAbsDiff(plain, shifted) > 1e-4, bias + " has no effect");
    }

    @Test
    void qwen2HasQkvBiasButNoOutputBias() {
        ModelWeights w = ModelWeights.random(TinyModels.config(",\"model_type\":\"qwen2\""), m, 0);
        assertTrue(w.contains("model.layers.0.self_attn.k_proj.bias"));
        assertFalse(w.contains("model.layers.0.self_attn.o_proj.bias"));
        assertEquals(new Shape(1, 5, 32), new LlamaModel(w).hidden(ids(ROW), null).getShape());
    }

    @Test
    void slidingWindowLimitsAOneLayerModelToTheLastWindowTokens() {
        // One layer, window 3: the last query sees only the last 3 tokens, and RoPE scores depend only
        // on relative positions, so its state equals that of the 3-token suffix run alone.
        String oneLayer = ",\"num_hidden_layers\":1,\"sliding_window\":3";
        LlamaModel windowed = model(oneLayer + ",\"model_type\":\"mistral\"");
        NDArray full = windowed.hidden(ids(ROW), null).get(new NDIndex("0, 4")); // (D)
        NDArray suffix = windowed.hidden(ids(new long[] {3, 42, 8}), null).get(new NDIndex("0, 2"));
        assertClose(suffix, full, 1e-5f, "windowed last state");
        // Llama ignores sliding_window (same weights by name): the whole prefix matters.
        LlamaModel global = model(oneLayer);
        NDArray globalLast = global.hidden(ids(ROW), null).get(new NDIndex("0, 4"));
        assertTrue(maxAbsDiff(globalLast, suffix) > 1e-4, "the window test must be able to fail");
    }

    @Test
    void lastTokenScoresReadTheLastRealTokenForLeftAndRightPadding() {
        LlamaModel reward = model(",\"architectures\":[\"LlamaForSequenceClassification\"],\"num_labels\":1");
        assertFalse(reward.hasLmHead());
        assertThrows(IllegalStateException.class, () -> reward.logits(m.zeros(new Shape(1, 1, 32))));
        NDArray aloneHidden = reward.hidden(ids(ROW), null);
        float alone = reward.scores(aloneHidden).getFloat(0, 4);
        NDArray batch = ids(new long[] {0, 0, 5, 17, 3, 42, 8}, new long[] {5, 17, 3, 42, 8, 0, 0});
        NDArray mask = m.create(new int[][] {{0, 0, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 1, 0, 0}});
        NDArray scores = reward.lastTokenScores(reward.hidden(batch, mask), mask); // (B)
        assertEquals(new Shape(2), scores.getShape());
        assertEquals(alone, scores.getFloat(0), 1e-5f);
        assertEquals(alone, scores.getFloat(1), 1e-5f);
    }

    @Test
    void causalLmHasNoScoreHead() {
        LlamaModel lm = model("");
        assertThrows(IllegalStateException.class, () -> lm.scores(m.zeros(new Shape(1, 1, 32))));
    }

    @Test
    void tokenLogpsOfTheModelAreLogProbabilities() {
        LlamaModel lm = model("");
        NDArray logits = lm.logits(lm.hidden(ids(ROW), null)); // (1, 5, V)
        NDArray allTargets = m.arange(0, 50, 1, DataType.INT64).reshape(1, 1, 50)
                .broadcast(new Shape(1, 5, 50)).reshape(1, 250);
        // Picking every vocabulary entry at every position: exp(logp) sums to 1 per position.
        NDArray repeated = logits.repeat(1, 50); // (1, 250, V): position t repeated 50 times
        NDArray probs = TokenLogps.of(repeated, allTargets).exp().reshape(5, 50).sum(new int[] {1});
        assertClose(m.ones(new Shape(5)), probs, 1e-5f, "probabilities sum to one");
    }

    @Test
    void float16WeightsComputeInFloat16AndStayCloseToFloat32() {
        ModelWeights fp32 = ModelWeights.random(TinyModels.config(",\"num_key_value_heads\":2"), m, 9);
        Map<String, NDArray> half = new LinkedHashMap<>();
        fp32.asMap().forEach((name, t) -> half.put(name, t.toType(DataType.FLOAT16, false)));
        LlamaModel fp16 = new LlamaModel(ModelWeights.of(fp32.config(), half));
        NDArray mask = m.create(new int[][] {{0, 1, 1, 1, 1, 1}});
        NDArray input = ids(new long[] {0, 5, 17, 3, 42, 8});
        NDArray h16 = fp16.hidden(input, mask);
        assertEquals(DataType.FLOAT16, h16.getDataType());
        assertClose(new LlamaModel(fp32).hidden(input, mask), h16.toType(DataType.FLOAT32, false), 2e-2f, "fp16 hidden");
        NDArray logps = TokenLogps.of(fp16.logits(h16), input);
        assertEquals(DataType.FLOAT32, logps.getDataType());
    }
}
