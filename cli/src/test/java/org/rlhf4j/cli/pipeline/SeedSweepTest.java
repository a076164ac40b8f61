package org.rlhf4j.cli.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlhf4j.core.runtime.Runtime;

class SeedSweepTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** An eval results.json with rows sft (the reference) and ppo; each cell {value, low, high}. */
    private static JsonNode results(double[] sft, double[] ppo) throws Exception {
        String[] metrics = {"accuracy", "refusal", "over_refusal"};
        StringBuilder sb = new StringBuilder("{\"reference\": \"/m/sft\", \"rows\": {");
        for (String row : List.of("sft", "ppo")) {
            double[] v = row.equals("sft") ? sft : ppo;
            sb.append('"').append(row).append("\": {\"model\": \"/m/").append(row).append('"');
            for (int i = 0; i < metrics.length; i++) {
                sb.append(", \"").append(metrics[i]).append("\": {\"value\": ").append(v[3 * i])
                        .append(", \"low\": ").append(v[3 * i + 1]).append(", \"high\": ").append(v[3 * i + 2]).append('}');
            }
            sb.append('}').append(row.equals("sft") ? ", " : "");
        }
        return JSON.readTree(sb.append("}}").toString());
    }

    @Test
    void summaryCountsWinsOverTheReferenceRowAndDisjointIntervals() throws Exception {
        // seed A: accuracy 0.7 [0.61, 0.8] vs 0.5 [0.4, 0.6]: better, disjoint; refusal 0.6 vs 0.5: better,
        // overlapping; over-refusal 0.1 vs 0.2: better (lower), overlapping
        JsonNode a = results(new double[] {0.5, 0.4, 0.6, 0.5, 0.3, 0.7, 0.2, 0.1, 0.3},
                new double[] {0.7, 0.61, 0.8, 0.6, 0.4, 0.8, 0.1, 0.05, 0.2});
        // seed B: accuracy 0.4 worse; refusal 0.9 [0.75, 0.95] vs [0.3, 0.7]: better, disjoint; over-refusal 0.3 worse
        JsonNode b = results(new double[] {0.5, 0.4, 0.6, 0.5, 0.3, 0.7, 0.2, 0.1, 0.3},
                new double[] {0.4, 0.3, 0.5, 0.9, 0.75, 0.95, 0.3, 0.2, 0.4});
        JsonNode s = SeedSummary.summarise(List.of(a, b));
        assertEquals("sft", s.get("baseline").asText());
        JsonNode acc = s.get("rows").get("ppo").get("accuracy");
        assertEquals(0.55, acc.get("mean").asDouble(), 1e-12);
        assertEquals(0.3 / Math.sqrt(2), acc.get("sd").asDouble(), 1e-12); // sample sd of {0.7, 0.4}
        assertEquals(0.4, acc.get("min").asDouble(), 1e-12);
        assertEquals(1, acc.get("better_than_baseline").asInt());
        assertEquals(1, acc.get("better_disjoint_intervals").asInt());
        JsonNode refusal = s.get("rows").get("ppo").get("refusal");
        assertEquals(2, refusal.get("better_than_baseline").asInt());
        assertEquals(1, refusal.get("better_disjoint_intervals").asInt());
        JsonNode over = s.get("rows").get("ppo").get("over_refusal");
        assertEquals(1, over.get("better_than_baseline").asInt());
        assertEquals(0, over.get("better_disjoint_intervals").asInt());
        assertFalse(s.get("rows").get("sft").get("accuracy").has("better_than_baseline"));
        String md = SeedSummary.markdown("eval", s, 2);
        assertTrue(md.contains("| ppo | 0.55 ± 0.21 [0.40, 0.70] |"), md);
        assertTrue(md.contains("| ppo | 1 (1) | 2 (1) | 1 (0) |"), md);
    }

    /** A results.json with rows sft (the reference) and ppo; cells {value, low, high, n} per metric. */
    private static JsonNode counted(double[][] sft, double[][] ppo) throws Exception {
        String[] metrics = {"accuracy", "refusal", "over_refusal"};
        ObjectNode root = JSON.createObjectNode().put("reference", "/m/sft");
        ObjectNode rows = root.putObject("rows");
        for (String row : List.of("sft", "ppo")) {
            double[][] v = row.equals("sft") ? sft : ppo;
            ObjectNode r = rows.putObject(row).put("model", "/m/" + row);
            for (int i = 0; i < metrics.length; i++) {
                r.putObject(metrics[i]).put("value", v[i][0]).put("low", v[i][1]).put("high", v[i][2])
                        .put("n", (int) v[i][3]);
            }
        }
        return root;
    }

    /** Three seeds: {value, low, high, n} of accuracy, refusal, over-refusal for sft and ppo. */
    private static List<JsonNode> threeSeeds() throws Exception {
        double[] sftAcc = {0.5, 0.5, 0.6};
        double[] ppoAcc = {0.7, 0.6, 0.9};   // changes 0.2, 0.1, 0.3
        double[] ppoOver = {0.3, 0.2, 0.1};  // against 0.2: changes +0.1, 0, -0.1
        List<JsonNode> seeds = new java.util.ArrayList<>();
        for (int k = 0; k < 3; k++) {
            seeds.add(counted(
                    new double[][] {{sftAcc[k], sftAcc[k] - 0.3, sftAcc[k] + 0.3, 10}, {0.5, 0.4, 0.6, 100},
                            {0.2, 0.1, 0.3, 10}},
                    // refusal 0.7 in every seed (change +0.2 three times), per-seed intervals overlapping sft's
                    new double[][] {{ppoAcc[k], ppoAcc[k] - 0.3, ppoAcc[k] + 0.3, 10}, {0.7, 0.58, 0.8, 100},
                            {ppoOver[k], ppoOver[k] - 0.2, ppoOver[k] + 0.2, 10}}));
        }
        return seeds;
    }

    @Test
    void pooledProportionsSumEverySeedsPromptsWithTheirWilsonInterval() throws Exception {
        JsonNode s = SeedSummary.summarise(threeSeeds());
        // accuracy: sft 5 + 5 + 6 = 16 of 30, ppo 7 + 6 + 9 = 22 of 30; Wilson by hand (z = 1.95996):
        // 16/30 -> [0.36142, 0.69768], 22/30 -> [0.55552, 0.85817]: they overlap
        JsonNode sft = s.get("rows").get("sft").get("accuracy").get("pooled");
        assertEquals(16 / 30.0, sft.get("value").asDouble(), 1e-12);
        assertEquals(30, sft.get("n").asInt());
        assertEquals(0.36142, sft.get("low").asDouble(), 1e-5);
        assertEquals(0.69768, sft.get("high").asDouble(), 1e-5);
        JsonNode ppo = s.get("rows").get("ppo").get("accuracy");
        assertEquals(0.55552, ppo.get("pooled").get("low").asDouble(), 1e-5);
        assertEquals(0.85817, ppo.get("pooled").get("high").asDouble(), 1e-5);
        assertFalse(ppo.get("claims").get("pooled").asBoolean());
        // refusal: 150 of 300 -> [0.44378, 0.55622] against 210 of 300 -> [0.64588, 0.74906]: disjoint, though
        // no single seed's intervals are
        JsonNode refusal = s.get("rows").get("ppo").get("refusal");
        assertEquals(0.64588, refusal.get("pooled").get("low").asDouble(), 1e-5);
        assertTrue(refusal.get("claims").get("pooled").asBoolean());
        assertEquals(0, refusal.get("better_disjoint_intervals").asInt());
        assertFalse(refusal.get("claims").get("every_seed").asBoolean());
        assertFalse(s.get("rows").get("ppo").has("mean_length"));
    }

    @Test
    void pairedChangeHasAStudentIntervalOverTheSeeds() throws Exception {
        JsonNode s = SeedSummary.summarise(threeSeeds());
        // accuracy changes 0.2, 0.1, 0.3: mean 0.2, sd 0.1, t(2) 4.302653 -> 0.2 +- 0.248414: contains 0
        JsonNode acc = s.get("rows").get("ppo").get("accuracy");
        JsonNode change = acc.get("paired_change");
        assertEquals(0.2, change.get("value").asDouble(), 1e-12);
        assertEquals(0.2 - 0.248414, change.get("low").asDouble(), 1e-6);
        assertEquals(0.2 + 0.248414, change.get("high").asDouble(), 1e-6);
        assertEquals(3, change.get("n").asInt());
        assertFalse(acc.get("claims").get("paired").asBoolean());
        assertTrue(acc.get("claims").get("not_worse").asBoolean());
        // refusal +0.2 in every seed: zero variance, the interval is the point, which excludes 0
        JsonNode refusal = s.get("rows").get("ppo").get("refusal");
        assertEquals(0.2, refusal.get("paired_change").get("low").asDouble(), 1e-12);
        assertEquals(0.2, refusal.get("paired_change").get("high").asDouble(), 1e-12);
        assertTrue(refusal.get("claims").get("paired").asBoolean());
        // over-refusal (lower is better) changes +0.1, 0, -0.1: mean 0 is not worse, not better either
        JsonNode over = s.get("rows").get("ppo").get("over_refusal");
        assertEquals(0.0, over.get("paired_change").get("value").asDouble(), 1e-12);
        assertFalse(over.get("claims").get("paired").asBoolean());
        assertTrue(over.get("claims").get("not_worse").asBoolean());
        assertFalse(over.get("claims").get("worse_paired").asBoolean());
        String md = SeedSummary.markdown("eval", s, 3);
        assertTrue(md.contains("| ppo | +0.200 [-0.048, +0.448] | +0.200 [+0.200, +0.200] | +0.000 [-0.248, +0.248] |"), md);
        assertTrue(md.contains("| sft | 0.533 [0.361, 0.698] (n 30) |"), md);
        assertTrue(md.contains("| ppo | **no**; *not worse* | **paired**, **pooled**; *not worse* | **no**; *not worse* |"), md);
    }

    @Test
    void theLmLossIsComparedLowerIsBetterAndNotPooled() throws Exception {
        List<JsonNode> seeds = threeSeeds();
        double[] sft = {7.5, 7.6, 7.4};
        double[] ppo = {4.0, 3.9, 4.1}; // changes -3.5, -3.7, -3.3: mean -3.5, sd 0.2, t(2) 4.302653 -> +- 0.496828
        for (int k = 0; k < 3; k++) {
            ObjectNode rows = (ObjectNode) seeds.get(k).get("rows");
            ((ObjectNode) rows.get("sft")).putObject("lm_loss").put("value", sft[k]).put("low", sft[k] - 0.1)
                    .put("high", sft[k] + 0.1).put("n", 20);
            ((ObjectNode) rows.get("ppo")).putObject("lm_loss").put("value", ppo[k]).put("low", ppo[k] - 0.1)
                    .put("high", ppo[k] + 0.1).put("n", 20);
        }
        JsonNode lm = SeedSummary.summarise(seeds).get("rows").get("ppo").get("lm_loss");
        assertEquals(-3.5, lm.get("paired_change").get("value").asDouble(), 1e-12);
        assertEquals(-3.5 + 0.496828, lm.get("paired_change").get("high").asDouble(), 1e-6);
        assertTrue(lm.get("claims").get("paired").asBoolean(), "lower is better");
        assertEquals(3, lm.get("better_disjoint_intervals").asInt());
        assertFalse(lm.has("pooled"), "a mean loss is not a share of prompts");
    }

    @Test
    void oneSeedGivesNoPairedIntervalAndNoPairedClaim() throws Exception {
        JsonNode s = SeedSummary.summarise(threeSeeds().subList(0, 1));
        JsonNode refusal = s.get("rows").get("ppo").get("refusal");
        assertEquals(0.2, refusal.get("paired_change").get("value").asDouble(), 1e-12);
        assertTrue(refusal.get("paired_change").get("low").isNull());
        assertFalse(refusal.get("claims").get("paired").asBoolean());
        assertFalse(refusal.get("claims").get("worse_paired").asBoolean());
        String md = SeedSummary.markdown("eval", s, 1);
        assertTrue(md.contains("| ppo | +0.200 | +0.200 | +0.100 |"), md);
    }

    @Test
    void everySeededStageMovesBySeedKAndSeedZeroIsThePlainRun() throws Exception {
        Path file = dir.resolve("pipeline.yaml");
        Files.writeString(file, """
                stages:
                  - name: base
                    kind: init
                    config:
                      seed: 3
                      tokenizer: byte
                      model: {hidden_size: 32, intermediate_size: 64, num_hidden_layers: 1, num_attention_heads: 4,
                              num_key_value_heads: 2, max_position_embeddings: 64}
                """);
        Runtime.configureOffline();
        StageRunners runners = StageRunners.defaults();
        PipelineConfig pipeline = PipelineConfig.load(file, runners);
        assertEquals(List.of("base.seed=3"), SeedSweep.seedOverrides(pipeline, 0));
        assertEquals(List.of("base.seed=5"), SeedSweep.seedOverrides(pipeline, 2));

        SeedSweep.Result r = new SeedSweep(new PipelineRunner(runners)).run(pipeline, dir.resolve("out"), false,
                List.of(), 2);
        assertEquals(List.of(dir.resolve("out/seed-0"), dir.resolve("out/seed-1")), r.runs());
        byte[] w0 = Files.readAllBytes(dir.resolve("out/seed-0/base/final/model.safetensors"));
        byte[] w1 = Files.readAllBytes(dir.resolve("out/seed-1/base/final/model.safetensors"));
        assertFalse(java.util.Arrays.equals(w0, w1), "seed 1 must draw other weights");
        assertTrue(Files.readString(r.markdown()).startsWith("# Results over 2 seeds"));
    }
}
