package org.rlhf4j.dpo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlhf4j.core.io.FloatTensor;
import org.rlhf4j.core.io.SafetensorsReader;
import org.rlhf4j.core.training.MetricsLog;
import org.rlhf4j.core.training.RunSummary;
import org.rlhf4j.testing.TinyModels;

/**
 * The trainer plumbing of SimPO, ORPO and KTO: the reference-free losses load no reference, KTO's
 * reference modes agree, KTO's accumulation equals a bigger batch, an interrupted KTO run resumes
 * exactly, mismatched completions come from other prompts.
 */
class OfflineVariantsTrainerTest {

    @TempDir
    static Path dir;

    static Path model;
    static final PreferenceData PAIRS = PreferenceData.of(DpoFixtures.pairs(8, 0), DpoFixtures.pairs(3, 100));
    static final KtoData KTO = new KtoData(DpoFixtures.unpaired(4, 0, 0), DpoFixtures.unpaired(2, 100, 1), List.of());

    @BeforeAll
    static void init() throws Exception {
        model = TinyModels.llama(dir.resolve("model"), 32, 2, 5);
    }

    private static DpoConfig config(Path out, int steps, int batch, int accum, DpoOptions dpo) {
        return DpoFixtures.config(model, out, DpoFixtures.train(steps, batch, accum, 1e-3, 2, 0), dpo);
    }

    private static float[] weight(Path modelDir, String name) throws Exception {
        Map<String, FloatTensor> w = SafetensorsReader.readFloats(modelDir.resolve("model.safetensors"));
        return w.get(name).values();
    }

    @Test
    void simpoAndOrpoTrainWithoutAReference() throws Exception {
        for (String loss : List.of("simpo", "orpo")) {
            Path out = dir.resolve(loss);
            // reference: frozen and a reference_model that does not exist: neither is loaded
            DpoOptions dpo = new DpoOptions(null, loss, null, null, "frozen", dir.resolve("absent").toString(), null);
            RunSummary summary = new DpoTrainer(config(out, 2, 4, 1, dpo), tokenizer -> PAIRS).run();
            assertEquals("none: loss_type " + loss + " is reference-free", summary.notes().get("reference"));
            assertFalse(Files.exists(out.resolve(ReferenceCache.FILE_NAME)));
            List<JsonNode> lines = MetricsLog.read(out.resolve(MetricsLog.FILE_NAME));
            JsonNode first = lines.get(0);
            assertTrue(Double.isFinite(first.get("loss").asDouble()), loss);
            // rewards are beta times the policy's per-token average log-probs, so not 0 at step 1
            assertNotEquals(0.0, first.get("rewards/chosen").asDouble(), loss);
            assertEquals(loss.equals("orpo"), first.has("nll_loss"), loss + ": ORPO's NLL half is logged");
            assertEquals(loss.equals("orpo"), first.has("log_odds_ratio") && first.has("log_odds_chosen"), loss);
        }
    }

    @Test
    void ktoFrozenAndPrecomputedReferencesTrainTheSame() throws Exception {
        RunSummary frozen = new KtoTrainer(config(dir.resolve("kto-frozen"), 3, 4, 1,
                DpoFixtures.options("kto", 0.1, "frozen")), tokenizer -> KTO).run();
        RunSummary cached = new KtoTrainer(config(dir.resolve("kto-cached"), 3, 4, 1,
                DpoFixtures.options("kto", 0.1, "precomputed")), tokenizer -> KTO).run();
        assertEquals(DpoTrainer.CACHE_WRITTEN, cached.notes().get("reference"));
        List<JsonNode> a = MetricsLog.read(dir.resolve("kto-frozen").resolve(MetricsLog.FILE_NAME));
        List<JsonNode> b = MetricsLog.read(dir.resolve("kto-cached").resolve(MetricsLog.FILE_NAME));
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            for (String key : List.of("loss", "kl", "rewards/margins", "eval_loss", "eval_kl")) {
                if (a.get(i).has(key)) {
                    assertEquals(a.get(i).get(key).asDouble(), b.get(i).get(key).asDouble(), 1e-4, key + " line " + i);
                }
            }
        }
        // step 1 starts at the reference: r = 0 and z0 = 0, so every loss is 1 - sigmoid(0) = 0.5
        assertEquals(0.5, a.get(0).get("loss").asDouble(), 1e-5);
        assertEquals(0.0, a.get(0).get("kl").asDouble(), 1e-6);
        assertArrayEquals(weight(frozen.finalModel(), "model.norm.weight"), weight(cached.finalModel(), "model.norm.weight"),
                1e-5f);
    }

    @Test
    void ktoTwoMicroBatchesOfTwoEqualOneBatchOfFour() throws Exception {
        DpoOptions kto = new DpoOptions(0.5, "kto", null, null, "precomputed", null, null, null, 1.0, 1.5);
        // two steps, so the second step's reference point is above 0 and differs per micro-batch
        RunSummary big = new KtoTrainer(config(dir.resolve("kto-b4"), 2, 4, 1, kto), tokenizer -> KTO).run();
        RunSummary accumulated = new KtoTrainer(config(dir.resolve("kto-b2x2"), 2, 2, 2, kto), tokenizer -> KTO).run();
        assertEquals(big.lastTrain().get("loss"), accumulated.lastTrain().get("loss"), 1e-5);
        assertEquals(big.lastTrain().get("grad_norm"), accumulated.lastTrain().get("grad_norm"), 1e-4);
        for (String w : List.of("model.embed_tokens.weight", "lm_head.weight")) {
            assertArrayEquals(weight(big.finalModel(), w), weight(accumulated.finalModel(), w), 1e-6f, w);
        }
    }

    @Test
    void anInterruptedKtoRunResumesExactly() throws Exception {
        DpoOptions kto = DpoFixtures.options("kto", 0.5, "precomputed");
        DpoConfig whole = DpoFixtures.config(model, dir.resolve("kto-whole"), DpoFixtures.train(4, 3, 1, 1e-3, 2, 2), kto);
        DpoConfig split = DpoFixtures.config(model, dir.resolve("kto-split"), DpoFixtures.train(4, 3, 1, 1e-3, 2, 2), kto);
        RunSummary a = new KtoTrainer(whole, tokenizer -> KTO).run();
        assertEquals(2, new KtoTrainer(split, tokenizer -> KTO).stopAfter(2).run().step());
        RunSummary b = new KtoTrainer(split, tokenizer -> KTO).run();
        assertEquals(2, b.resumedFromStep());
        assertEquals(DpoTrainer.CACHE_REUSED, b.notes().get("reference"));
        for (String w : List.of("model.embed_tokens.weight", "lm_head.weight")) {
            assertArrayEquals(weight(a.finalModel(), w), weight(b.finalModel(), w), w);
        }
        assertEquals(a.lastEval().get("eval_loss"), b.lastEval().get("eval_loss"), 1e-9);
    }

    @Test
    void mismatchedCompletionsComeFromOtherPrompts() {
        // prompts a a b b c c (pairs unpaired): every partner has another prompt
        List<String> prompts = List.of("a", "a", "b", "b", "c", "c");
        int[] partners = MismatchedCompletions.partners(prompts, 7);
        for (int i = 0; i < prompts.size(); i++) {
            assertNotEquals(prompts.get(i), prompts.get(partners[i]), "example " + i);
        }
        assertArrayEquals(partners, MismatchedCompletions.partners(prompts, 7), "seeded");
        // one prompt only: the previous example in the seeded order, never itself
        int[] same = MismatchedCompletions.partners(List.of("a", "a", "a"), 1);
        for (int i = 0; i < 3; i++) {
            assertNotEquals(i, same[i]);
        }
        assertEquals(3, Arrays.stream(same).distinct().count(), "a rotation when nothing better exists");
        assertArrayEquals(new int[] {0}, MismatchedCompletions.partners(List.of("a"), 1));
    }
}
