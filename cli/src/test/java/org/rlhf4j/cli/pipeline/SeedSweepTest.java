package org.rlhf4j.cli.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
        JsonNode s = SeedSweep.summarise(List.of(a, b));
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
        String md = SeedSweep.markdown("eval", s, 2);
        assertTrue(md.contains("| ppo | 0.55 ± 0.21 [0.40, 0.70] |"), md);
        assertTrue(md.contains("| ppo | 1 (1) | 2 (1) | 1 (0) |"), md);
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
