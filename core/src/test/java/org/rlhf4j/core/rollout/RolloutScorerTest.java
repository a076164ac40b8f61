package org.rlhf4j.core.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.rlhf4j.core.generate.SamplingParams;
import org.rlhf4j.core.model.LlamaModel;
import org.rlhf4j.core.scoring.SequenceTokenLogps;
import org.rlhf4j.core.tokenizer.ByteTokenizer;

class RolloutScorerTest {

    private static final ByteTokenizer TOKENIZER = new ByteTokenizer();

    private static NDManager manager;
    private static LlamaModel policy;
    private static LlamaModel reference;
    private static LlamaModel scalar;
    private static int threads;

    @BeforeAll
    static void load() {
        manager = NDManager.newBaseManager();
        policy = RolloutFixtures.policy(manager, 3);
        reference = RolloutFixtures.policy(manager, 4);
        scalar = RolloutFixtures.scalar(manager, 5);
        threads = JniUtils.getNumThreads();
        JniUtils.setNumThreads(1); // tiny models: one thread is faster, and the machine is shared
    }

    @AfterAll
    static void release() {
        JniUtils.setNumThreads(threads);
        manager.close();
    }

    private static RolloutBatch rollout(NDManager scope, double temperature) {
        RolloutEngine engine = new RolloutEngine(policy, TOKENIZER, EngineOptions.defaults());
        SamplingParams params = temperature == 0 ? SamplingParams.greedy(10)
                : new SamplingParams(10, temperature, 0, 1, 11);
        // Row 0's fifth token of an unstopped run as EOS: row 0 ends early, so responses are right-padded.
        int[] free = engine.generate(RolloutFixtures.PROMPTS, params, StopCriteria.eos(), scope).rows().get(0)
                .responseIds();
        return engine.generate(RolloutFixtures.PROMPTS, params, StopCriteria.eos(free[4]), scope);
    }

    /** Each row's prompt + response, unpadded. */
    private static int[] sequence(Completion row) {
        int[] all = new int[row.promptIds().length + row.responseIds().length];
        System.arraycopy(row.promptIds(), 0, all, 0, row.promptIds().length);
        System.arraycopy(row.responseIds(), 0, all, row.promptIds().length, row.responseIds().length);
        return all;
    }

    @Test
    void logpsEqualTheRolloutsAndSequenceTokenLogpsForTheSameSequences() {
        for (double temperature : new double[] {1.0, 0.7}) {
            try (NDManager scope = manager.newSubManager()) {
                RolloutBatch batch = rollout(scope, temperature);
                int a = batch.responseLength();
                float[] rescored = RolloutScorer.logps(policy, batch, temperature, scope).toFloatArray(); // (B, A)
                float[] sampled = batch.logps().toFloatArray();
                for (int i = 0; i < rescored.length; i++) {
                    assertEquals(sampled[i], rescored[i], 1e-4, "T=" + temperature + " entry " + i);
                }
                if (temperature != 1.0) {
                    continue; // SequenceTokenLogps (rlhf4j logprobs) scores at temperature 1
                }
                List<int[]> sequences = new ArrayList<>();
                batch.rows().forEach(r -> sequences.add(sequence(r)));
                List<float[]> expected = SequenceTokenLogps.compute(policy, scope, sequences, 8);
                for (int b = 0; b < batch.batchSize(); b++) {
                    Completion row = batch.rows().get(b);
                    int p = row.promptIds().length;
                    for (int t = 0; t < a; t++) {
                        // logprobs[i - 1] = log p(ids[i] | ids[<i]); response token t is ids[p + t]
                        float want = t < row.responseIds().length ? expected.get(b)[p + t - 1] : 0;
                        assertEquals(want, rescored[b * a + t], 1e-4, "row " + b + " token " + t);
                    }
                }
                assertTrue(batch.rows().stream().anyMatch(r -> r.responseIds().length < a),
                        "some row should end early, so pads are covered: pick another EOS");
            }
        }
    }

    @Test
    void entropyMatchesAnIndependentComputation() {
        double temperature = 0.8;
        try (NDManager scope = manager.newSubManager()) {
            RolloutBatch batch = rollout(scope, temperature);
            int a = batch.responseLength();
            float[] entropy = RolloutScorer.logpsAndEntropy(reference, batch, temperature, scope).entropy()
                    .toFloatArray();
            for (int b = 0; b < batch.batchSize(); b++) {
                Completion row = batch.rows().get(b);
                int[] seq = sequence(row);
                NDArray x = scope.create(toLongs(seq), new Shape(1, seq.length));
                float[] logits = reference.logits(reference.hidden(x, null)).toFloatArray(); // (1, n, V)
                int v = reference.config().vocabSize();
                for (int t = 0; t < a; t++) {
                    double want = 0;
                    if (t < row.responseIds().length) {
                        // H = -sum p log p of softmax(logits / T) at the position before token t
                        int pos = row.promptIds().length + t - 1;
                        double max = Double.NEGATIVE_INFINITY;
                        for (int i = 0; i < v; i++) {
                            max = Math.max(max, logits[pos * v + i] / temperature);
                        }
                        double z = 0;
                        for (int i = 0; i < v; i++) {
                            z += Math.exp(logits[pos * v + i] / temperature - max);
                        }
                        for (int i = 0; i < v; i++) {
                            double logP = logits[pos * v + i] / temperature - max - Math.log(z);
                            want -= Math.exp(logP) * logP;
                        }
                    }
                    assertEquals(want, entropy[b * a + t], 1e-4, "row " + b + " token " + t);
                }
            }
        }
    }

    @Test
    void rewardsAndValuesEqualAPlainForwardPassOfEachRow() {
        try (NDManager scope = manager.newSubManager()) {
            RolloutBatch batch = rollout(scope, 1.0);
            int a = batch.responseLength();
            float[] rewards = RolloutScorer.rewards(scalar, batch, scope).toFloatArray(); // (B)
            float[] values = RolloutScorer.values(scalar, batch, scope).toFloatArray(); // (B, A)
            for (int b = 0; b < batch.batchSize(); b++) {
                Completion row = batch.rows().get(b);
                int[] seq = sequence(row);
                NDArray x = scope.create(toLongs(seq), new Shape(1, seq.length));
                float[] scores = scalar.scores(scalar.hidden(x, null)).toFloatArray(); // (1, n)
                assertEquals(scores[seq.length - 1], rewards[b], 1e-4, "reward of row " + b);
                for (int t = 0; t < a; t++) {
                    float want = t < row.responseIds().length ? scores[row.promptIds().length + t - 1] : 0;
                    assertEquals(want, values[b * a + t], 1e-4, "value of row " + b + " at " + t);
                }
            }
        }
    }

    @Test
    void aRewardModelWithItsOwnTokenizerScoresTheDecodedText() {
        try (NDManager scope = manager.newSubManager()) {
            List<int[]> prompts = List.of(TOKENIZER.encode("<|im_start|>user\nHi<|im_end|>\n"), TOKENIZER.encode("Q:"));
            List<int[]> responses = List.of(TOKENIZER.encode("Hello there<|im_end|>"), TOKENIZER.encode(" 4"));
            RolloutBatch batch = RolloutBatch.of(prompts, responses, TOKENIZER, scope);
            assertEquals(FinishReason.GIVEN, batch.rows().get(0).finishReason());
            // The byte tokenizer round-trips ASCII, so the text path must give the ids path's scores.
            List<String> texts = new ArrayList<>();
            for (int b = 0; b < 2; b++) {
                texts.add(TOKENIZER.decode(prompts.get(b), false) + TOKENIZER.decode(responses.get(b), false));
            }
            float[] byText = RolloutScorer.rewards(scalar, TOKENIZER, texts, scope).toFloatArray();
            float[] byIds = RolloutScorer.rewards(scalar, batch, scope).toFloatArray();
            assertEquals(byIds[0], byText[0], 1e-4);
            assertEquals(byIds[1], byText[1], 1e-4);
            assertEquals("Q: 4", batch.texts(TOKENIZER).get(1));
        }
    }

    @Test
    void withoutACollectorOnlyTheResultIsLeftAndInsideOneTheGraphReachesTheWeights() {
        try (NDManager scope = manager.newSubManager()) {
            RolloutBatch batch = rollout(scope, 1.0);
            int before = scope.getManagedArrays().size();
            RolloutScorer.logpsAndEntropy(policy, batch, 1.0, scope);
            assertEquals(before + 2, scope.getManagedArrays().size(), "logps and entropy, no intermediates");

            LlamaModel trainable = RolloutFixtures.policy(scope, 3);
            trainable.weights().setRequiresGradient(true);
            NDArray head = trainable.weights().get("lm_head.weight");
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray logps = RolloutScorer.logps(trainable, batch, 1.0, scope); // (B, A)
                collector.backward(logps.sum());
            }
            NDArray gradient = head.getGradient();
            assertNotNull(gradient);
            assertTrue(gradient.abs().sum().getFloat() > 0, "the LM head gets a gradient");
        }
    }

    private static long[] toLongs(int[] ids) {
        long[] out = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = ids[i];
        }
        return out;
    }
}
