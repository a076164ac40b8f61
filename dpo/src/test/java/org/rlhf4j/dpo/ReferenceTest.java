package org.rlhf4j.dpo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlhf4j.core.pretrained.PretrainedModel;
import org.rlhf4j.core.rollout.RolloutBatch;
import org.rlhf4j.core.rollout.RolloutScorer;
import org.rlhf4j.core.tokenizer.ByteTokenizer;
import org.rlhf4j.datasets.ChatMessage;
import org.rlhf4j.datasets.ChatTemplate;
import org.rlhf4j.datasets.PreferenceEncoder;
import org.rlhf4j.datasets.PreferencePair;
import org.rlhf4j.datasets.RewardConditions;
import org.rlhf4j.testing.TinyModels;

/** Sequence log-probs of pairs: invariant to padding and truncation; the cached table equals scoring on the fly. */
class ReferenceTest {

    @TempDir
    static Path dir;

    static Path modelDir;
    static FrozenReference reference;
    static List<DpoPair> pairs;

    @BeforeAll
    static void load() throws Exception {
        modelDir = TinyModels.llama(dir.resolve("model"), 32, 2, 3);
        reference = new FrozenReference(PretrainedModel.load(modelDir));
        pairs = new ArrayList<>();
        var tokenized = DpoFixtures.pairs(7, 0);
        for (int i = 0; i < tokenized.size(); i++) {
            pairs.add(DpoPair.of(tokenized.get(i), i, 128, 64));
        }
        pairs.add(DpoPair.of(DpoFixtures.pair("a much longer prompt than the others", "ok!", "a long rejected answer"),
                7, 128, 64));
    }

    @AfterAll
    static void close() {
        reference.close();
    }

    @Test
    void paddingDoesNotChangeAPairsLogps() {
        DpoPair shortest = pairs.get(0);
        ReferenceLogps alone = reference.logps(List.of(shortest));
        // batched with the longest pair: more prompt padding on the left, more response padding on the right
        ReferenceLogps padded = reference.logps(List.of(pairs.get(7), shortest));
        assertEquals(alone.chosen()[0], padded.chosen()[1], 1e-4);
        assertEquals(alone.rejected()[0], padded.rejected()[1], 1e-4);
        assertTrue(alone.chosen()[0] < 0 && alone.rejected()[0] < alone.chosen()[0],
                "the rejected response is longer, so less likely under a random model");
    }

    @Test
    void truncationKeepsTheLogpsOfTheTokensThatRemain() {
        DpoPair whole = pairs.get(7); // rejected: 22 characters + <|im_end|>
        DpoPair cut = new DpoPair(whole.index(), whole.prompt(), whole.chosen(),
                java.util.Arrays.copyOf(whole.rejected(), 10), true, null);
        float[] perToken;
        try (NDManager scope = NDManager.newBaseManager()) {
            PretrainedModel m = PretrainedModel.load(modelDir);
            try (m) {
                RolloutBatch batch = RolloutBatch.of(List.of(whole.prompt()), List.of(whole.rejected()), m.tokenizer(),
                        scope);
                perToken = RolloutScorer.logps(m.model(), batch, 1.0, scope).toFloatArray();
            }
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        double firstTen = 0;
        for (int t = 0; t < 10; t++) {
            firstTen += perToken[t];
        }
        assertEquals(firstTen, reference.logps(List.of(cut)).rejected()[0], 1e-4);
    }

    /**
     * A chosen response of three turns (call, tool result, answer): DPO sums the log-probs of the
     * assistant turns' tokens only, as the SFT mask trains them; the tool result and the headers
     * between the turns are context.
     */
    @Test
    void aToolResultInsideAResponseIsContextNotScored() throws Exception {
        PreferenceEncoder encoder = new PreferenceEncoder(new ByteTokenizer(), ChatTemplate.CHATML,
                RewardConditions.ignored());
        PreferencePair pair = new PreferencePair(List.of(ChatMessage.user("weather?")), List.of(
                ChatMessage.assistant("call"), new ChatMessage("tool", "18C"), ChatMessage.assistant("sunny")),
                List.of(ChatMessage.assistant("no idea")), null, null, null, "test:tools");
        DpoPair p = DpoPair.of(encoder.encode(pair), 0, 128, 64);
        ByteTokenizer bytes = new ByteTokenizer();
        assertEquals("<|im_start|>user\nweather?<|im_end|>\n<|im_start|>assistant\n", bytes.decode(p.prompt(), false));
        assertEquals("call<|im_end|>\n<|im_start|>tool\n18C<|im_end|>\n<|im_start|>assistant\nsunny<|im_end|>",
                bytes.decode(p.chosen(), false));
        assertEquals(5 + 6, p.chosenScoredTokens(), "call + <|im_end|>, sunny + <|im_end|>");
        assertEquals(null, p.rejectedScored(), "a one-turn response is scored whole");
        float[] perToken;
        PretrainedModel m = PretrainedModel.load(modelDir);
        try (m; NDManager scope = NDManager.newBaseManager()) {
            RolloutBatch batch = RolloutBatch.of(List.of(p.prompt()), List.of(p.chosen()), m.tokenizer(), scope);
            perToken = RolloutScorer.logps(m.model(), batch, 1.0, scope).toFloatArray();
        }
        double scored = 0;
        double all = 0;
        for (int t = 0; t < p.chosen().length; t++) {
            scored += p.chosenScored()[t] ? perToken[t] : 0;
            all += perToken[t];
        }
        ReferenceLogps logps = reference.logps(List.of(p));
        assertEquals(scored, logps.chosen()[0], 1e-4);
        assertTrue(Math.abs(all - scored) > 1, "the unscored tokens carry log-prob mass: " + all + " vs " + scored);
        // batched with one-turn pairs, the mask stays on its row
        ReferenceLogps mixed = reference.logps(List.of(pairs.get(0), p));
        assertEquals(scored, mixed.chosen()[1], 1e-4);
        assertEquals(reference.logps(List.of(pairs.get(0))).chosen()[0], mixed.chosen()[0], 1e-4);
    }

    @Test
    void theCachedTableEqualsScoringOnTheFly() throws Exception {
        ReferenceLogps table = reference.table(pairs, 3); // batches of 3, 3, 2
        Path file = dir.resolve("run").resolve(ReferenceCache.FILE_NAME);
        String key = ReferenceCache.key(modelDir, "float32", pairs);
        ReferenceCache.write(file, key, modelDir, table);
        CachedReference cached = new CachedReference(ReferenceCache.read(file, key).orElseThrow());
        // on the fly, in other batch compositions
        for (List<DpoPair> batch : List.of(List.of(pairs.get(5), pairs.get(0)), pairs.subList(1, 5),
                List.of(pairs.get(7), pairs.get(6)))) {
            ReferenceLogps live = reference.logps(batch);
            ReferenceLogps fromCache = cached.logps(batch);
            assertArrayEquals(live.chosen(), fromCache.chosen(), 1e-4f);
            assertArrayEquals(live.rejected(), fromCache.rejected(), 1e-4f);
        }
    }

    @Test
    void theCacheKeyFollowsTheDataAndTheWeights() throws Exception {
        String key = ReferenceCache.key(modelDir, "float32", pairs);
        assertEquals(key, ReferenceCache.key(modelDir, "float32", new ArrayList<>(pairs)));
        assertNotEquals(key, ReferenceCache.key(modelDir, "float32", pairs.subList(0, 7)));
        assertNotEquals(key, ReferenceCache.key(modelDir, "float16", pairs));
        Path other = TinyModels.llama(dir.resolve("other"), 32, 2, 4); // same shape, other seed
        assertNotEquals(key, ReferenceCache.key(other, "float32", pairs));
        Path file = dir.resolve("stale.json");
        ReferenceCache.write(file, key, modelDir, new ReferenceLogps(new float[] {1}, new float[] {2}));
        assertTrue(ReferenceCache.read(file, "another key").isEmpty());
        Files.writeString(file, "{not json");
        assertTrue(ReferenceCache.read(file, key).isEmpty());
    }
}
