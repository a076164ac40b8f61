package org.rlhf4j.core.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TokenSamplerTest {

    // p = softmax = (0.1, 0.3, 0.6)
    private static final float[] LOGITS = {(float) Math.log(1), (float) Math.log(3), (float) Math.log(6)};

    private static int[] counts(SamplingParams params, int draws) {
        TokenSampler sampler = new TokenSampler(params);
        SplittableRandom random = new SplittableRandom(params.seed());
        int[] counts = new int[LOGITS.length];
        for (int i = 0; i < draws; i++) {
            counts[sampler.next(LOGITS, random)]++;
        }
        return counts;
    }

    @Test
    void greedyPicksTheArgmaxAndReportsItsLogSoftmax() {
        TokenSampler sampler = new TokenSampler(SamplingParams.greedy(1));
        // logits (1, 3, 2): log-sum-exp = 3 + ln(1 + e^-1 + e^-2) = 3.407606, so log p(1) = -0.407606
        assertEquals(1, sampler.next(new float[] {1, 3, 2}, null));
        assertEquals(-0.407606, sampler.lastLogProb(), 1e-6);
    }

    @Test
    void logProbIsTakenAtTheSamplingTemperature() {
        TokenSampler sampler = new TokenSampler(new SamplingParams(1, 2.0, 0, 1, 0));
        int token = sampler.next(new float[] {1, 3, 2}, new SplittableRandom(0));
        // logits / 2 = (0.5, 1.5, 1): log-sum-exp = 1.5 + ln(1 + e^-1 + e^-0.5) = 1.5 + ln(1.974410) = 2.180270
        double[] expected = {0.5 - 2.180270, 1.5 - 2.180270, 1.0 - 2.180270};
        assertEquals(expected[token], sampler.lastLogProb(), 1e-6);
    }

    @Test
    void plainSamplingFollowsTheSoftmax() {
        int[] c = counts(new SamplingParams(1, 1.0, 0, 1, 1), 30000);
        assertEquals(0.1, c[0] / 30000.0, 0.01);
        assertEquals(0.3, c[1] / 30000.0, 0.015);
        assertEquals(0.6, c[2] / 30000.0, 0.015);
    }

    @Test
    void topKKeepsTheKMostLikelyRenormalised() {
        int[] c = counts(new SamplingParams(1, 1.0, 2, 1, 2), 30000);
        // (0.3, 0.6) renormalised: 1/3, 2/3
        assertEquals(0, c[0]);
        assertEquals(1 / 3.0, c[1] / 30000.0, 0.015);
        assertEquals(1, counts(new SamplingParams(1, 1.5, 1, 1, 3), 200)[2] / 200);
    }

    @Test
    void topPKeepsTheSmallestSetReachingP() {
        // sorted 0.6, 0.3, 0.1: p = 0.7 needs the first two; p = 0.5 only the first
        int[] c = counts(new SamplingParams(1, 1.0, 0, 0.7, 4), 30000);
        assertEquals(0, c[0]);
        assertEquals(1 / 3.0, c[1] / 30000.0, 0.015);
        assertEquals(200, counts(new SamplingParams(1, 1.0, 0, 0.5, 5), 200)[2]);
    }

    @Test
    void topPAfterTopKIsAFractionOfTheTopKMass() {
        // top-2 renormalised (1/3, 2/3): 2/3 >= 0.65 keeps token 2 alone (of all tokens it would be 0.6 < 0.65)
        assertEquals(200, counts(new SamplingParams(1, 1.0, 2, 0.65, 6), 200)[2]);
    }

    @Test
    void topPOverALargeVocabularyMatchesTheFullSort() {
        // 1000 tokens with weights 1/(i+1): the nucleus of 0.5 is the first n with H(n) >= 0.5 * H(1000)
        int v = 1000;
        float[] logits = new float[v];
        double total = 0;
        for (int i = 0; i < v; i++) {
            logits[i] = (float) -Math.log(i + 1);
            total += 1.0 / (i + 1);
        }
        int n = 0;
        double mass = 0;
        while (mass < 0.5 * total) {
            mass += 1.0 / (++n);
        }
        TokenSampler sampler = new TokenSampler(new SamplingParams(1, 1.0, 0, 0.5, 7));
        SplittableRandom random = new SplittableRandom(7);
        int largest = 0;
        for (int i = 0; i < 20000; i++) {
            largest = Math.max(largest, sampler.next(logits, random));
        }
        assertEquals(n - 1, largest, "the least likely token drawn is the last of the nucleus");
    }
}
