package org.rlhf4j.reward;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlhf4j.core.config.ConfigException;
import org.rlhf4j.datasets.DataConfig;
import org.rlhf4j.datasets.PreferenceDataset;
import org.rlhf4j.datasets.PreferencePair;
import org.rlhf4j.datasets.io.BadRecordException;
import org.rlhf4j.datasets.io.BadRecords;

/**
 * UltraFeedback-binarized scores as the ranking loss's margin: m = data.margin_scale x
 * (score_chosen - score_rejected), against values computed by hand; records without numeric
 * scores are refused with their place and the field.
 */
class UltraFeedbackMarginTest {

    private static final Path FIXTURE = Path.of("../datasets/src/test/resources/formats/ultrafeedback.jsonl");

    @TempDir
    Path dir;

    private static List<PreferencePair> pairs(Path file, String format, Double marginScale) throws IOException {
        DataConfig data = new DataConfig(file.toString(), null, null, null, null, null, null, null, null, format,
                Map.of(), Map.of(), marginScale);
        return PreferenceDataset.read(data.trainFiles(), new BadRecords(false), data.maxRecordBytes(), data.formats());
    }

    @Test
    void scaledScoreDifferencesAreTheRankingMargins() throws IOException {
        // scores (9, 2), (8.5, 1), (7, 7), (10, 3): differences 7, 7.5, 0, 7
        assertEquals(List.of(7.0, 7.5, 0.0, 7.0), pairs(FIXTURE, "auto", null).stream().map(PreferencePair::margin)
                .toList(), "margin_scale defaults to 1");
        List<PreferencePair> half = pairs(FIXTURE, "ultrafeedback", 0.5);
        RmOptions options = RmOptions.defaults(); // rm.margin: auto uses the data's margin
        double[] margins = half.stream().mapToDouble(options::marginOf).toArray();
        assertArrayEquals(new double[] {3.5, 3.75, 0.0, 3.5}, margins, 0.0);
        try (NDManager m = NDManager.newBaseManager()) {
            // r_c - r_r = [1, -1]: -log sigmoid(1 - 3.5) = log(1 + e^2.5) = 2.5788897,
            // -log sigmoid(-1 - 3.75) = log(1 + e^4.75) = 4.7586145; mean 3.6687521
            RewardLoss.Result out = RewardLoss.ranking(m.create(new float[] {1, 0}), m.create(new float[] {0, 1}),
                    m.create(new float[] {(float) margins[0], (float) margins[1]}), 0, 2);
            assertArrayEquals(new float[] {2.5788897f, 4.7586145f}, out.perPair().toFloatArray(), 1e-5f);
            assertEquals(3.6687521, out.loss().getFloat(), 1e-5);
        }
    }

    @Test
    void missingOrNonNumericScoresAreRefusedWithTheirPlaceAndField() throws IOException {
        String good = Files.readAllLines(FIXTURE).get(0);
        String pair = "\"chosen\": [{\"role\": \"user\", \"content\": \"q\"}, {\"role\": \"assistant\", \"content\": \"a\"}],"
                + " \"rejected\": [{\"role\": \"user\", \"content\": \"q\"}, {\"role\": \"assistant\", \"content\": \"b\"}]";
        String[][] cases = {
            {"{" + pair + ", \"score_chosen\": 9}", ":2: has no \"score_rejected\"; expected UltraFeedback-binarized scores"},
            {"{" + pair + "}", ":2: has no \"score_chosen\"; expected UltraFeedback-binarized scores"},
            {"{" + pair + ", \"score_chosen\": null, \"score_rejected\": 2}", ":2: has no \"score_chosen\" (it is null);"},
            {"{" + pair + ", \"score_chosen\": \"9\", \"score_rejected\": 2}",
                ":2: \"score_chosen\" is a string; expected a finite number"},
            {"{" + pair + ", \"score_chosen\": 9, \"score_rejected\": [2]}",
                ":2: \"score_rejected\" is an array; expected a finite number"},
        };
        for (String[] c : cases) {
            Path file = Files.writeString(dir.resolve("uf.jsonl"), good + "\n" + c[0] + "\n");
            BadRecordException e = assertThrows(BadRecordException.class, () -> pairs(file, "auto", null), c[0]);
            assertTrue(e.getMessage().startsWith(file + c[1]), e.getMessage());
        }
        ConfigException scale = assertThrows(ConfigException.class, () -> pairs(FIXTURE, "auto", -1.0));
        assertEquals("data.margin_scale must be finite and > 0, got -1.0", scale.getMessage());
    }
}
