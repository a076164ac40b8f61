package org.rlhf4j.core.pretrained;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.rlhf4j.core.io.Checkpoint;
import org.rlhf4j.core.io.ModelDirectory;
import org.rlhf4j.core.model.LlamaModel;
import org.rlhf4j.core.model.ModelWeights;
import org.rlhf4j.core.model.TokenLogps;

/**
 * The forward pass against an independent PyTorch implementation of transformers' Llama family
 * ({@code tools/reference/}, golden files under {@code src/test/resources/golden/}): logits,
 * per-token log-probs and classifier scores of padded batches, to 1e-4.
 */
class GoldenReferenceTest {

    private static final Path GOLDEN = Path.of("src/test/resources/golden");
    private static final double TOLERANCE = 1e-4;

    static Stream<String> cases() throws IOException {
        try (Stream<Path> dirs = Files.list(GOLDEN)) {
            return dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList().stream();
        }
    }

    @ParameterizedTest
    @MethodSource("cases")
    void matchesReference(String name) throws IOException {
        Path dir = GOLDEN.resolve(name);
        JsonNode expected = new ObjectMapper().readTree(dir.resolve("expected.json").toFile());
        try (NDManager manager = NDManager.newBaseManager()) {
            Checkpoint checkpoint = ModelDirectory.load(dir, manager, DataType.FLOAT32);
            LlamaModel model = new LlamaModel(ModelWeights.of(checkpoint.config(), checkpoint.weights()));
            long[][] ids = longs(expected.get("input_ids"));
            long[][] mask = longs(expected.get("attention_mask"));
            int b = ids.length;
            int t = ids[0].length;
            NDArray idArray = manager.create(flatten(ids), new Shape(b, t)); // (B, T)
            NDArray maskArray = manager.create(flatten(mask), new Shape(b, t)); // (B, T)
            NDArray hidden = model.hidden(idArray, maskArray); // (B, T, D)
            int checked = 0;
            if (expected.has("logits")) {
                NDArray logits = model.logits(hidden); // (B, T, V)
                int v = (int) logits.getShape().get(2);
                float[] actual = logits.toFloatArray();
                for (int r = 0; r < b; r++) {
                    for (int p = 0; p < t; p++) {
                        JsonNode row = expected.get("logits").get(r).get(p);
                        if (mask[r][p] == 0) {
                            continue; // undefined at padding
                        }
                        for (int k = 0; k < v; k++) {
                            assertClose(row.get(k).asDouble(), actual[(r * t + p) * v + k],
                                    name + " logits[" + r + "][" + p + "][" + k + "]");
                            checked++;
                        }
                    }
                }
                NDArray logps = TokenLogps.of(logits.get(":, :-1"), idArray.get(":, 1:")); // (B, T-1)
                float[] lp = logps.toFloatArray();
                for (int r = 0; r < b; r++) {
                    for (int p = 0; p < t - 1; p++) {
                        JsonNode e = expected.get("token_logprobs").get(r).get(p);
                        if (!e.isNull()) {
                            assertClose(e.asDouble(), lp[r * (t - 1) + p], name + " token_logprobs[" + r + "][" + p + "]");
                            checked++;
                        }
                    }
                }
            }
            if (expected.has("scores")) {
                float[] scores = model.lastTokenScores(hidden, maskArray).toFloatArray(); // (B)
                for (int r = 0; r < b; r++) {
                    assertClose(expected.get("scores").get(r).asDouble(), scores[r], name + " scores[" + r + "]");
                    checked++;
                }
                float[] perToken = model.scores(hidden).toFloatArray(); // (B, T)
                for (int r = 0; r < b; r++) {
                    for (int p = 0; p < t; p++) {
                        JsonNode e = expected.get("token_scores").get(r).get(p);
                        if (!e.isNull()) {
                            assertClose(e.asDouble(), perToken[r * t + p], name + " token_scores[" + r + "][" + p + "]");
                        }
                    }
                }
            }
            assertTrue(checked > 0, name + ": nothing compared");
            checkpoint.close();
        }
    }

    private static void assertClose(double expected, double actual, String what) {
        assertEquals(expected, actual, TOLERANCE + 1e-5 * Math.abs(expected), what);
    }

    private static long[][] longs(JsonNode rows) {
        long[][] out = new long[rows.size()][];
        for (int r = 0; r < rows.size(); r++) {
            out[r] = new long[rows.get(r).size()];
            for (int c = 0; c < out[r].length; c++) {
                out[r][c] = rows.get(r).get(c).asLong();
            }
        }
        return out;
    }

    private static long[] flatten(long[][] rows) {
        return Stream.of(rows).flatMapToLong(java.util.Arrays::stream).toArray();
    }
}
