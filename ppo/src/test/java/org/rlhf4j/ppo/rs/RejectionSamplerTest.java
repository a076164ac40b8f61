package org.rlhf4j.ppo.rs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlhf4j.core.config.ConfigLoader;
import org.rlhf4j.core.generate.SamplingParams;
import org.rlhf4j.core.pretrained.PretrainedModel;
import org.rlhf4j.core.rollout.EngineOptions;
import org.rlhf4j.core.rollout.RolloutBatch;
import org.rlhf4j.core.rollout.RolloutEngine;
import org.rlhf4j.core.rollout.StopCriteria;
import org.rlhf4j.datasets.ChatTemplate;
import org.rlhf4j.datasets.ChatTemplates;
import org.rlhf4j.datasets.DataConfig;
import org.rlhf4j.datasets.SftDataset;
import org.rlhf4j.ppo.PromptSet;
import org.rlhf4j.testing.TinyModels;

/**
 * Best-of-N on a tiny random model (hidden 32, 2 layers, byte tokenizer) with rule rewards whose
 * scores vary between its random responses: exact_answer with {@code contains} and two regexes.
 */
class RejectionSamplerTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static Path model;
    static Path prompts;

    @BeforeAll
    static void setUp() throws IOException {
        model = TinyModels.llama(dir.resolve("model"), 32, 2, 3, 128);
        StringBuilder sb = new StringBuilder();
        String[] words = {"one", "two", "three", "four", "five", "six"};
        for (String w : words) {
            sb.append("{\"prompt\": \"say ").append(w).append("\", \"answer\": \"e\", \"condition\": \"c\"}\n");
        }
        prompts = Files.writeString(dir.resolve("prompts.jsonl"), sb.toString());
    }

    /** The config file every test starts from; {@code extra} are --set overrides. */
    static RsConfig config(Path out, String... extra) throws IOException {
        Path file = dir.resolve("rs-" + out.getFileName() + ".yaml");
        Files.writeString(file, String.join("\n",
                "model: " + model,
                "output_dir: " + out,
                "seed: 5",
                "device: cpu",
                "data:",
                "  train: " + prompts,
                "rs:",
                "  num_samples: 4",
                "  max_new_tokens: 12",
                "  batch_size: 4",
                "rewards:",
                "  sources:",
                "    has_e: {type: exact_answer, weight: 2.0, options: {contains: true}}",
                "    vowel: {type: regex, options: {pattern: '[aeiou]'}}",
                "    letter_first: {type: regex, weight: 0.5, options: {pattern: '^[a-z]'}}",
                ""));
        return ConfigLoader.load(file, List.of(extra), RsConfig.class);
    }

    static List<JsonNode> lines(Path file) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            out.add(JSON.readTree(line));
        }
        return out;
    }

    @Test
    void keepsTheFirstHighestScoringSampleOfEachPrompt() throws IOException {
        Path out = dir.resolve("best");
        RejectionSampler.Summary summary = new RejectionSampler(config(out)).run();
        List<JsonNode> samples = lines(out.resolve(RejectionSampler.SAMPLES_FILE));
        List<JsonNode> sft = lines(out.resolve("final").resolve(RejectionSampler.SFT_FILE));
        assertEquals(24, samples.size());
        assertEquals(6, sft.size());
        int notFirst = 0;
        double bestSum = 0;
        double all = 0;
        for (int p = 0; p < 6; p++) {
            int argmax = -1;
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < 4; k++) {
                JsonNode s = samples.get(p * 4 + k);
                assertEquals(p, s.get("prompt_index").asInt());
                assertEquals(k, s.get("sample").asInt());
                // the combined score is the weighted sum of the per-source scores
                JsonNode per = s.get("scores");
                assertEquals(2 * per.get("has_e").asDouble() + per.get("vowel").asDouble()
                        + 0.5 * per.get("letter_first").asDouble(), s.get("score").asDouble(), 1e-12);
                if (s.get("score").asDouble() > max) {
                    max = s.get("score").asDouble();
                    argmax = k;
                }
                all += s.get("score").asDouble();
            }
            notFirst += argmax > 0 ? 1 : 0;
            bestSum += max;
            JsonNode kept = sft.get(p);
            assertEquals(samples.get(p * 4 + argmax).get("response").asText(),
                    kept.get("messages").get(1).get("content").asText());
            assertEquals("user", kept.get("messages").get(0).get("role").asText());
            assertEquals("assistant", kept.get("messages").get(1).get("role").asText());
            assertEquals(max, kept.get("score").asDouble(), 0);
            assertTrue(samples.get(p * 4 + argmax).get("best").asBoolean());
        }
        assertTrue(notFirst > 0, "every best sample was the first: the selection is not exercised");
        assertEquals(bestSum / 6, summary.meanBestScore(), 1e-12);
        assertEquals(all / 24, summary.meanScore(), 1e-12);
        assertTrue(summary.meanBestScore() > summary.meanScore());
        JsonNode written = JSON.readTree(out.resolve(RejectionSampler.SUMMARY_FILE).toFile());
        assertEquals(6, written.get("kept").asInt());
        assertEquals(summary.meanBestScore(), written.get("mean_best_score").asDouble(), 1e-12);

        // the SFT file is SFT data: one example per kept prompt, loss on the response
        try (PretrainedModel m = PretrainedModel.load(model)) {
            SftDataset data = SftDataset.load(new DataConfig(summary.sftFile().toString(), null, null, null, null,
                    null, null), m.tokenizer(), ChatTemplate.CHATML, 128, false, 0);
            assertEquals(6, data.train().size());
        }
    }

    @Test
    void oneSampleIsPlainSamplingWithTheSameSeed() throws IOException {
        Path out = dir.resolve("n1");
        new RejectionSampler(config(out, "rs.num_samples=1", "rs.batch_size=4")).run();
        List<JsonNode> sft = lines(out.resolve("final").resolve(RejectionSampler.SFT_FILE));
        try (PretrainedModel m = PretrainedModel.load(model); NDManager scope = m.manager().newSubManager()) {
            ChatTemplate template = ChatTemplates.select("auto", m.tokenizer());
            PromptSet set = PromptSet.load(new DataConfig(prompts.toString(), null, null, null, null, null, null),
                    m.tokenizer(), template, 256);
            RolloutBatch batch = new RolloutEngine(m.model(), m.tokenizer(), EngineOptions.defaults()).generate(
                    set.ids(), new SamplingParams(12, 1.0, 0, 1.0, 5), StopCriteria.eos(m.stopTokenIds()), scope);
            for (int p = 0; p < 6; p++) {
                assertEquals(batch.rows().get(p).responseText(),
                        sft.get(p).get("messages").get(1).get("content").asText());
            }
        }
    }

    @Test
    void seededRunsAgreeWhateverTheBatchSize() throws IOException {
        Path a = dir.resolve("seeded-a");
        Path b = dir.resolve("seeded-b");
        RejectionSampler.Summary sa = new RejectionSampler(config(a, "rs.min_score=1.0", "rs.pairs=true")).run();
        RejectionSampler.Summary sb = new RejectionSampler(config(b, "rs.min_score=1.0", "rs.pairs=true",
                "rs.batch_size=3")).run();
        assertEquals(Files.readString(a.resolve(RejectionSampler.SAMPLES_FILE)),
                Files.readString(b.resolve(RejectionSampler.SAMPLES_FILE)));
        assertEquals(Files.readString(a.resolve("final/sft.jsonl")), Files.readString(b.resolve("final/sft.jsonl")));
        assertEquals(Files.readString(a.resolve(RejectionSampler.PAIRS_FILE)),
                Files.readString(b.resolve(RejectionSampler.PAIRS_FILE)));
        assertEquals(sa, new RejectionSampler.Summary(sb.prompts(), sb.samples(), sb.kept(), sb.dropped(), sb.pairs(),
                sb.meanBestScore(), sb.meanScore(), sa.sftFile()));

        // min_score: a prompt is kept exactly when its best score reaches 1.0; pairs when best > worst
        List<JsonNode> samples = lines(a.resolve(RejectionSampler.SAMPLES_FILE));
        int kept = 0;
        int pairs = 0;
        for (int p = 0; p < 6; p++) {
            double max = Double.NEGATIVE_INFINITY;
            double min = Double.POSITIVE_INFINITY;
            for (int k = 0; k < 4; k++) {
                max = Math.max(max, samples.get(p * 4 + k).get("score").asDouble());
                min = Math.min(min, samples.get(p * 4 + k).get("score").asDouble());
            }
            kept += max >= 1.0 ? 1 : 0;
            pairs += max > min ? 1 : 0;
        }
        assertTrue(kept > 0 && kept < 6, "min_score 1.0 should keep some prompts and drop others, kept " + kept);
        assertEquals(kept, sa.kept());
        assertEquals(6 - kept, sa.dropped());
        assertEquals(kept, lines(a.resolve("final/sft.jsonl")).size());
        assertEquals(pairs, sa.pairs());
        for (JsonNode pair : lines(a.resolve(RejectionSampler.PAIRS_FILE))) {
            assertEquals("c", pair.get("condition").asText());
            assertTrue(pair.get("prompt").asText().startsWith("say "));
        }
    }
}
