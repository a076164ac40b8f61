package org.rlhf4j.core.rollout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.rlhf4j.core.generate.SamplingParams;
import org.rlhf4j.core.model.LlamaModel;
import org.rlhf4j.core.tokenizer.ByteTokenizer;
import org.rlhf4j.core.tokenizer.StreamingDecoder;

class RolloutEngineTest {

    private static final StopCriteria NO_STOP = StopCriteria.eos();
    private static final SamplingParams SAMPLED = new SamplingParams(12, 0.9, 40, 0.95, 7);

    private static NDManager manager;
    private static LlamaModel policy;
    private static int threads;
    private static final ByteTokenizer TOKENIZER = new ByteTokenizer();

    @BeforeAll
    static void load() {
        manager = NDManager.newBaseManager();
        policy = RolloutFixtures.policy(manager, 3);
        threads = JniUtils.getNumThreads();
        JniUtils.setNumThreads(1); // the prefill and recompute too: tiny models, shared machine
    }

    @AfterAll
    static void release() {
        JniUtils.setNumThreads(threads);
        manager.close();
    }

    /** The engine as every stage runs it: the fused KV-cache decoder. */
    private static RolloutEngine engine() {
        return engine(DecodeMode.FUSED_KV_CACHE);
    }

    private static RolloutEngine engine(DecodeMode mode) {
        return new RolloutEngine(policy, TOKENIZER, new EngineOptions(mode, 0));
    }

    private static float[] logps(RolloutBatch batch) {
        return batch.logps().toFloatArray();
    }

    @Test
    void greedyWithTheCacheEqualsRecomputingTheWholeSequenceEveryStep() {
        assertCachedEqualsRecompute(SamplingParams.greedy(12));
    }

    @Test
    void samplingWithTheCacheEqualsRecomputingTheWholeSequenceEveryStep() {
        assertCachedEqualsRecompute(SAMPLED);
    }

    private void assertCachedEqualsRecompute(SamplingParams params) {
        for (DecodeMode mode : List.of(DecodeMode.KV_CACHE, DecodeMode.FUSED_KV_CACHE)) {
            try (NDManager scope = manager.newSubManager()) {
                RolloutBatch cached = engine(mode).generate(RolloutFixtures.PROMPTS, params, NO_STOP, scope);
                RolloutBatch recomputed = engine(DecodeMode.RECOMPUTE).generate(RolloutFixtures.PROMPTS, params,
                        NO_STOP, scope);
                for (int b = 0; b < cached.batchSize(); b++) {
                    assertArrayEquals(recomputed.rows().get(b).responseIds(), cached.rows().get(b).responseIds(),
                            mode + ", row " + b);
                    assertEquals(12, cached.rows().get(b).responseIds().length);
                }
                assertArrayEquals(logps(recomputed), logps(cached), 1e-4f, mode.toString());
                assertArrayEquals(recomputed.ids().toLongArray(), cached.ids().toLongArray());
            }
        }
    }

    @Test
    void aRowInsideALeftPaddedBatchEqualsTheSameRowGeneratedAlone() {
        for (SamplingParams params : List.of(SamplingParams.greedy(10), SAMPLED)) {
            try (NDManager scope = manager.newSubManager()) {
                RolloutBatch together = engine().generate(RolloutFixtures.PROMPTS, params, NO_STOP, scope);
                float[] batchLogps = logps(together);
                int a = together.responseLength();
                for (int b = 0; b < RolloutFixtures.PROMPTS.size(); b++) {
                    // firstRow = b gives the row the seed it had inside the batch
                    RolloutBatch alone = engine().generate(List.of(RolloutFixtures.PROMPTS.get(b)), params,
                            NO_STOP, b, RolloutListener.NONE, scope);
                    assertArrayEquals(alone.rows().get(0).responseIds(), together.rows().get(b).responseIds(),
                            "row " + b + ", temperature " + params.temperature());
                    float[] single = logps(alone);
                    for (int t = 0; t < single.length; t++) {
                        assertEquals(single[t], batchLogps[b * a + t], 1e-4, "row " + b + " logp " + t);
                    }
                }
            }
        }
    }

    @Test
    void theSameSeedGivesTheSameSamplesAndAnotherSeedOthers() {
        try (NDManager scope = manager.newSubManager()) {
            List<int[]> prompts = List.of(RolloutFixtures.PROMPTS.get(0), RolloutFixtures.PROMPTS.get(0));
            RolloutBatch first = engine().generate(prompts, SAMPLED, NO_STOP, scope);
            RolloutBatch again = engine().generate(prompts, SAMPLED, NO_STOP, scope);
            RolloutBatch other = engine().generate(prompts,
                    new SamplingParams(12, 0.9, 40, 0.95, 8), NO_STOP, scope);
            assertArrayEquals(first.ids().toLongArray(), again.ids().toLongArray());
            assertFalse(java.util.Arrays.equals(first.ids().toLongArray(), other.ids().toLongArray()));
            // the same prompt twice in one batch: two rows, two seeds, two different samples
            assertFalse(java.util.Arrays.equals(first.rows().get(0).responseIds(), first.rows().get(1).responseIds()));
        }
    }

    @Test
    void eosAndStopIdsEndARowAndStayItsLastToken() {
        try (NDManager scope = manager.newSubManager()) {
            List<int[]> prompts = List.of(RolloutFixtures.PROMPTS.get(1));
            int[] free = engine().generate(prompts, SamplingParams.greedy(12), NO_STOP, scope)
                    .rows().get(0).responseIds(); // 12 tokens
            int stopAt = firstIndexOfItsValue(free, 3); // a token whose first occurrence is at index >= 3
            int id = free[stopAt];

            RolloutBatch eos = engine().generate(prompts, SamplingParams.greedy(12), StopCriteria.eos(id), scope);
            Completion row = eos.rows().get(0);
            assertEquals(FinishReason.EOS, row.finishReason());
            assertArrayEquals(java.util.Arrays.copyOf(free, stopAt + 1), row.responseIds());
            assertEquals(stopAt + 1, eos.responseLength());

            StopCriteria stopId = new StopCriteria(new int[0], new int[] {id}, List.of());
            assertEquals(FinishReason.STOP, engine().generate(prompts, SamplingParams.greedy(12), stopId, scope)
                    .rows().get(0).finishReason());

            Completion full = engine().generate(prompts, SamplingParams.greedy(12), NO_STOP, scope).rows().get(0);
            assertEquals(FinishReason.LENGTH, full.finishReason());
        }
    }

    private static int firstIndexOfItsValue(int[] ids, int from) {
        for (int i = from; i < ids.length; i++) {
            boolean seen = false;
            for (int j = 0; j < i; j++) {
                seen |= ids[j] == ids[i];
            }
            if (!seen) {
                return i;
            }
        }
        throw new AssertionError("every token after " + from + " repeats an earlier one: pick another fixture seed");
    }

    @Test
    void aStopStringEndsTheRowAndIsCutFromTheText() {
        try (NDManager scope = manager.newSubManager()) {
            List<int[]> prompts = List.of(RolloutFixtures.PROMPTS.get(0), RolloutFixtures.PROMPTS.get(2));
            SamplingParams params = SamplingParams.greedy(16);
            int[] free = engine().generate(prompts, params, NO_STOP, scope).rows().get(0).responseIds();
            // The first printable ASCII byte after the first two tokens, as a one-character stop string.
            int k = 2;
            while (k < free.length && !(free[k] >= 0x21 && free[k] <= 0x7e)) {
                k++;
            }
            assertTrue(k < free.length, "no printable byte in the greedy response: pick another fixture seed");
            String stop = String.valueOf((char) free[k]);
            // Expected end: the first token after which the streamed text (special tokens as text) has it.
            StreamingDecoder decoder = TOKENIZER.streamingDecoder(false);
            StringBuilder streamed = new StringBuilder();
            int expectedLength = 0;
            while (!streamed.toString().contains(stop)) {
                streamed.append(decoder.push(free[expectedLength++]));
            }

            StopCriteria criteria = new StopCriteria(new int[0], new int[0], List.of(stop));
            RolloutBatch batch = engine().generate(prompts, params, criteria, scope);
            Completion row = batch.rows().get(0);
            assertEquals(FinishReason.STOP, row.finishReason());
            assertArrayEquals(java.util.Arrays.copyOf(free, expectedLength), row.responseIds());
            String decoded = TOKENIZER.decode(row.responseIds(), true);
            assertEquals(decoded.substring(0, decoded.indexOf(stop)), row.responseText());
            // the other row ends on its own; its response mask has one 1 per response token
            float[] mask = batch.responseMask().toFloatArray();
            for (int b = 0; b < 2; b++) {
                float ones = 0;
                for (int t = 0; t < batch.responseLength(); t++) {
                    ones += mask[b * batch.responseLength() + t];
                }
                assertEquals(batch.rows().get(b).responseIds().length, (int) ones, "row " + b);
            }
        }
    }

    @Test
    void theLiveArrayCountStaysFlatOverALongGeneration() {
        try (NDManager scope = manager.newSubManager()) {
            List<Integer> counts = new ArrayList<>();
            RolloutListener listener = new RolloutListener() {
                @Override
                public void onStep(int step) {
                    counts.add(scope.getManagedArrays().size());
                }
            };
            RolloutBatch batch = engine().generate(List.of(RolloutFixtures.PROMPTS.get(0), RolloutFixtures.PROMPTS.get(2)),
                    new SamplingParams(300, 1.0, 0, 1, 5), NO_STOP, 0, listener, scope);
            assertEquals(300, batch.responseLength());
            assertEquals(300, counts.size());
            // The cache's 2 arrays per layer live in a sub-manager: counting them shows that the count
            // looks into sub-managers, where per-step arrays would pile up.
            assertTrue(counts.get(0) >= 2 * policy.config().numHiddenLayers(), counts.toString());
            assertEquals(counts.get(1), counts.get(counts.size() - 1), "arrays alive after step 1 vs the last");
            assertEquals(1, counts.subList(1, counts.size()).stream().distinct().count(), counts.toString());
        }
    }

    @Test
    void recordedLogpsAreTemperatureScaled() {
        try (NDManager scope = manager.newSubManager()) {
            List<int[]> prompt = List.of(RolloutFixtures.PROMPTS.get(0));
            RolloutBatch cold = engine().generate(prompt, new SamplingParams(6, 0.5, 0, 1, 1), NO_STOP, scope);
            RolloutBatch greedy = engine().generate(prompt, SamplingParams.greedy(6), NO_STOP, scope);
            assertEquals(0.5, cold.temperature());
            assertEquals(1.0, greedy.temperature());
            for (float lp : logps(cold)) {
                assertTrue(lp <= 0 && Float.isFinite(lp), "log-prob " + lp);
            }
        }
    }
}
