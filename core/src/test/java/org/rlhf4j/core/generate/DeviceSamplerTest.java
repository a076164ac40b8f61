package org.rlhf4j.core.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DeviceSamplerTest {

    private static NDManager manager;

    @BeforeAll
    static void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    private static float[] randomLogits(SplittableRandom random, int batch, int vocab, double scale) {
        float[] logits = new float[batch * vocab];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) (scale * random.nextGaussian());
        }
        return logits;
    }

    /** Same uniforms, same tokens and log-probs as the Java sampler, for every mode incl. the top-p fallback. */
    @Test
    void picksWhatTheJavaSamplerPicks() {
        List<SamplingParams> modes = List.of(SamplingParams.greedy(1), new SamplingParams(1, 1, 0, 1, 0),
                new SamplingParams(1, 0.7, 0, 1, 0), new SamplingParams(1, 1, 5, 1, 0),
                new SamplingParams(1, 1.3, 0, 0.9, 0), new SamplingParams(1, 0.8, 40, 0.8, 0),
                new SamplingParams(1, 1, 0, 0.999, 0)); // a nucleus past 256 candidates: the Java fallback
        SplittableRandom random = new SplittableRandom(1);
        int batch = 6;
        for (int vocab : new int[] {7, 300, 1000}) {
            for (SamplingParams params : modes) {
                DeviceSampler device = new DeviceSampler(params, 0);
                TokenSampler reference = new TokenSampler(params);
                for (int step = 0; step < 15; step++) {
                    float[] logits = randomLogits(random, batch, vocab, step % 3 == 0 ? 0.3 : 3);
                    if (step == 1) { // ties: the first maximum, and equal weights ordered by token id
                        java.util.Arrays.fill(logits, 0, 2 * vocab, 1.5f);
                    }
                    double[] u = random.doubles(batch).toArray();
                    DeviceSampler.Picks picks;
                    try (NDManager step1 = manager.newSubManager()) {
                        picks = device.next(step1.create(logits, new Shape(batch, vocab)), u);
                    }
                    for (int b = 0; b < batch; b++) {
                        int expected = reference.next(logits, b * vocab, vocab, u[b]);
                        String where = params + " V=" + vocab + " step " + step + " row " + b;
                        assertEquals(expected, picks.tokens()[b], where);
                        assertEquals(reference.lastLogProb(), picks.logps()[b], 2e-6, where);
                    }
                }
                if (params.topP() == 0.999 && vocab > DeviceSampler.NUCLEUS_CANDIDATES) {
                    assertTrue(device.fallbackRows() > 0, "the flat nucleus took the fallback");
                }
            }
        }
    }

    /** Top-k on rows of few distinct values, so ties straddle the cut: same picks as the Java sampler. */
    @Test
    void topKMatchesTheJavaSamplerWhenValuesTie() {
        SplittableRandom random = new SplittableRandom(11);
        int batch = 8;
        int vocab = 1000;
        for (int k : new int[] {1, 3, 8}) {
            SamplingParams params = new SamplingParams(1, 0.9, k, 1, 0);
            DeviceSampler device = new DeviceSampler(params, 0);
            TokenSampler reference = new TokenSampler(params);
            for (int step = 0; step < 10; step++) {
                float[] logits = new float[batch * vocab];
                for (int i = 0; i < logits.length; i++) {
                    logits[i] = random.nextInt(step % 2 == 0 ? 6 : 400) * 0.02f; // many ties, or a few
                }
                double[] u = random.doubles(batch).toArray();
                DeviceSampler.Picks picks;
                try (NDManager scope = manager.newSubManager()) {
                    picks = device.next(scope.create(logits, new Shape(batch, vocab)), u);
                }
                for (int b = 0; b < batch; b++) {
                    String where = "k " + k + " step " + step + " row " + b;
                    assertEquals(reference.next(logits, b * vocab, vocab, u[b]), picks.tokens()[b], where);
                    assertEquals(reference.lastLogProb(), picks.logps()[b], 2e-6, where);
                }
            }
        }
    }

    /** Frequencies over 20,000 seeded draws match the (truncated, renormalised) probabilities. */
    @Test
    void samplesTheTruncatedDistribution() {
        // softmax(log w) with w = (1, 2, 3, 4, 6, 4) / 20
        float[] row = {0, (float) Math.log(2), (float) Math.log(3), (float) Math.log(4), (float) Math.log(6),
            (float) Math.log(4)};
        double[] all = {0.05, 0.10, 0.15, 0.20, 0.30, 0.20};
        // top-k 3: tokens 4 (6), 3 and 5 (4 each; both kept) -> 6/14, 4/14, 4/14
        double[] topK3 = {0, 0, 0, 4.0 / 14, 6.0 / 14, 4.0 / 14};
        // top-p 0.6: order 4 (.30), 3 (.20, lower id first), 5 (.20): .30, .50, .70 >= .6 -> {4, 3, 5}
        double[] topP6 = topK3;
        // top-p 0.45 with T = 1: 4 (.30), 3 (.50 >= .45) -> 6/10, 4/10
        double[] topP45 = {0, 0, 0, 0.4, 0.6, 0};
        // top-k 2 then top-p 0.5 of the kept mass 10: 4 alone reaches 6/10 >= .5 -> token 4 always
        double[] topK2P5 = {0, 0, 0, 0, 1, 0};
        assertFrequencies(new SamplingParams(1, 1, 0, 1, 0), row, all);
        assertFrequencies(new SamplingParams(1, 1, 3, 1, 0), row, topK3);
        assertFrequencies(new SamplingParams(1, 1, 0, 0.6, 0), row, topP6);
        assertFrequencies(new SamplingParams(1, 1, 0, 0.45, 0), row, topP45);
        assertFrequencies(new SamplingParams(1, 1, 2, 0.5, 0), row, topK2P5);
        // temperature 2 flattens: p ~ sqrt(w) = (1, 1.414, 1.732, 2, 2.449, 2) / 10.596
        double[] t2 = {1 / 10.5959, 1.41421 / 10.5959, 1.73205 / 10.5959, 2 / 10.5959, 2.44949 / 10.5959, 2 / 10.5959};
        assertFrequencies(new SamplingParams(1, 2, 0, 1, 0), row, t2);
    }

    private static void assertFrequencies(SamplingParams params, float[] row, double[] expected) {
        int vocab = row.length;
        int batch = 2000;
        int steps = 10;
        float[] logits = new float[batch * vocab];
        for (int b = 0; b < batch; b++) {
            System.arraycopy(row, 0, logits, b * vocab, vocab);
        }
        SplittableRandom random = new SplittableRandom(42);
        int[] counts = new int[vocab];
        DeviceSampler sampler = new DeviceSampler(params, 0);
        for (int s = 0; s < steps; s++) {
            try (NDManager step = manager.newSubManager()) {
                for (int t : sampler.next(step.create(logits, new Shape(batch, vocab)), random.doubles(batch).toArray())
                        .tokens()) {
                    counts[t]++;
                }
            }
        }
        int n = batch * steps;
        for (int v = 0; v < vocab; v++) {
            double sigma = Math.sqrt(expected[v] * (1 - expected[v]) / n);
            double observed = counts[v] / (double) n;
            if (expected[v] == 0) {
                assertEquals(0, counts[v], params + ": token " + v + " is outside top-k/top-p");
            } else {
                assertEquals(expected[v], observed, 4 * sigma + 1e-9, params + ": token " + v);
            }
        }
    }

    @Test
    void smallLogitsAreSampledInJavaWithTheSameResult() {
        SamplingParams params = new SamplingParams(1, 0.8, 0, 1, 0);
        float[] logits = randomLogits(new SplittableRandom(4), 3, 50, 2);
        double[] u = new SplittableRandom(5).doubles(3).toArray();
        try (NDManager step = manager.newSubManager()) {
            NDArray array = step.create(logits, new Shape(3, 50));
            DeviceSampler.Picks java = new DeviceSampler(params).next(array, u); // 150 entries: the Java path
            DeviceSampler.Picks device = new DeviceSampler(params, 0).next(array, u);
            assertArrayEquals(java.tokens(), device.tokens());
            assertArrayEquals(java.logps(), device.logps(), 1e-6f);
        }
    }

    @Test
    void sameUniformsSameTokens() {
        SamplingParams params = new SamplingParams(1, 0.9, 20, 0.95, 3);
        float[] logits = randomLogits(new SplittableRandom(3), 4, 500, 2);
        double[] u = new SplittableRandom(9).doubles(4).toArray();
        int[][] runs = new int[2][];
        for (int r = 0; r < 2; r++) {
            try (NDManager step = manager.newSubManager()) {
                runs[r] = new DeviceSampler(params, 0).next(step.create(logits, new Shape(4, 500)), u).tokens();
            }
        }
        assertArrayEquals(runs[0], runs[1]);
    }

    @Test
    void greedyIsTheFirstArgmaxWithItsLogSoftmax() {
        try (NDManager step = manager.newSubManager()) {
            NDArray logits = step.create(new float[] {1, 3, 2, 3, 0, 0}, new Shape(2, 3));
            DeviceSampler.Picks picks = new DeviceSampler(SamplingParams.greedy(1), 0).next(logits, new double[0]);
            assertArrayEquals(new int[] {1, 0}, picks.tokens());
            // (1, 3, 2): log p(1) = -0.407606 (TokenSamplerTest); (3, 0, 0): 3 - ln(e^3 + 2) = 3 - 3.094923 = -0.094923
            assertEquals(-0.407606, picks.logps()[0], 1e-6);
            assertEquals(-0.094923, picks.logps()[1], 1e-6);
        }
    }

    @Test
    void greedyFindsAMaximumThatLogSoftmaxRoundsIntoATie() {
        // 1 and its float successor differ by 1.2e-7; after subtracting log-sum-exp (~ 1 + ln 400) both
        // round to the same log-prob, so only the logits tell the maximum (slot 250) from the slots before it
        float[] row = new float[400];
        java.util.Arrays.fill(row, 1f);
        row[250] = Math.nextUp(1f);
        try (NDManager step = manager.newSubManager()) {
            NDArray logits = step.create(row, new Shape(1, 400));
            float[] logSoftmax = logits.logSoftmax(1).toFloatArray();
            assertEquals(logSoftmax[249], logSoftmax[250], 0, "the fixture must tie after log_softmax");
            DeviceSampler.Picks device = new DeviceSampler(SamplingParams.greedy(1), 0).next(logits, new double[0]);
            DeviceSampler.Picks java = new DeviceSampler(SamplingParams.greedy(1), Long.MAX_VALUE).next(logits, new double[0]);
            assertArrayEquals(new int[] {250}, device.tokens());
            assertArrayEquals(java.tokens(), device.tokens());
            assertEquals(logSoftmax[250], device.logps()[0], 0);
        }
    }
}
