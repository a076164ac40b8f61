package org.rlhf4j.core.generate;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks the next token from one row of next-token logits (greedy, or temperature / top-k / top-p
 * sampling) and reports the token's log-probability {@code log_softmax(logits / T)[token]}, with
 * T the temperature (1 when greedy), over the whole vocabulary: top-k and top-p choose which
 * tokens may be drawn but do not change the reported log-probability, which is how PPO rescores
 * the rollout (TRL, OpenRLHF).
 *
 * <p>Works on a Java array: one row of logits is small next to the forward pass that produced
 * it, and a Java {@link SplittableRandom} per row makes samples reproducible run to run. Top-k
 * and top-p sort only the tokens that can matter (a heap for the k-th largest weight, a
 * threshold search for the nucleus), not the whole vocabulary. Not thread-safe: it keeps scratch
 * buffers sized to the vocabulary; use one per generation.
 */
public final class TokenSampler {

    private final SamplingParams params;
    private double[] weights = new double[0]; // exp((logit - max) / T), the largest is exactly 1
    private long[] candidates = new long[0]; // (float weight bits << 32) | (V - 1 - token), sortable
    private double[] heap = new double[0]; // min-heap of the k largest weights
    private float lastLogProb;

    public TokenSampler(SamplingParams params) {
        this.params = params;
    }

    /** The temperature of the reported log-probabilities: the sampling temperature, or 1 when greedy. */
    public double logProbTemperature() {
        return params.isGreedy() ? 1 : params.temperature();
    }

    /** The next token id for {@code logits} (V); {@code random} is unused when greedy. */
    public int next(float[] logits, SplittableRandom random) {
        return next(logits, 0, logits.length, random);
    }

    /**
     * The next token id for the row {@code logits[offset, offset + vocab)}; afterwards
     * {@link #lastLogProb()} is its log-probability.
     */
    public int next(float[] logits, int offset, int vocab, SplittableRandom random) {
        // one uniform per sampled token, none when greedy: DeviceSampler's callers draw the same way
        return next(logits, offset, vocab, params.isGreedy() ? 0 : random.nextDouble());
    }

    /**
     * As {@link #next(float[], int, int, SplittableRandom)} with the sample's uniform number
     * {@code uniform} in [0, 1) given (unused when greedy).
     */
    public int next(float[] logits, int offset, int vocab, double uniform) {
        if (weights.length < vocab) {
            weights = new double[vocab];
            candidates = new long[vocab];
        }
        int argmax = 0;
        float max = logits[offset];
        for (int i = 1; i < vocab; i++) {
            if (logits[offset + i] > max) {
                max = logits[offset + i];
                argmax = i;
            }
        }
        double temperature = logProbTemperature();
        double total = 0;
        for (int i = 0; i < vocab; i++) {
            double w = Math.exp((logits[offset + i] - max) / temperature);
            weights[i] = w;
            total += w;
        }
        int token = params.isGreedy() ? argmax : sample(vocab, total, uniform);
        lastLogProb = (float) ((logits[offset + token] - max) / temperature - Math.log(total));
        return token;
    }

    /** {@code log_softmax(logits / T)} at the token the last {@link #next} call returned. */
    public float lastLogProb() {
        return lastLogProb;
    }

    private int sample(int vocab, double total, double uniform) {
        boolean topK = params.topK() > 0 && params.topK() < vocab;
        boolean topP = params.topP() < 1;
        if (!topK && !topP) {
            return draw(vocab, total, uniform);
        }
        // Candidates: tokens whose weight reaches a threshold that provably keeps every token the
        // filters can keep. The tokens at or above any threshold form a prefix of the sorted order.
        double threshold;
        double base; // the mass top-p is a fraction of: all tokens, or the top k (renormalised, as HF)
        if (topK) {
            threshold = kthLargest(vocab, params.topK());
            base = Double.NaN; // computed from the sorted candidates
        } else {
            base = total;
            threshold = nucleusThreshold(vocab, params.topP() * total);
        }
        int n = 0;
        for (int i = 0; i < vocab; i++) {
            if (weights[i] >= threshold) {
                candidates[n++] = ((long) Float.floatToIntBits((float) weights[i]) << 32) | (vocab - 1 - i);
            }
        }
        Arrays.sort(candidates, 0, n); // ascending weight; equal weights: higher token id first
        int keep = topK ? Math.min(params.topK(), n) : n;
        if (topK) {
            base = 0;
            for (int j = 0; j < keep; j++) {
                base += weights[tokenAt(n - 1 - j, vocab)];
            }
        }
        double kept = 0;
        int count = 0;
        while (count < keep) {
            kept += weights[tokenAt(n - 1 - count, vocab)];
            count++;
            if (topP && kept >= params.topP() * base) {
                break;
            }
        }
        double u = uniform * kept;
        for (int j = 0; j < count; j++) {
            int token = tokenAt(n - 1 - j, vocab);
            u -= weights[token];
            if (u < 0) {
                return token;
            }
        }
        return tokenAt(n - count, vocab); // rounding left u at or just above 0
    }

    private int tokenAt(int sortedIndex, int vocab) {
        return vocab - 1 - (int) (candidates[sortedIndex] & 0xffffffffL);
    }

    private int draw(int vocab, double total, double uniform) {
        double u = uniform * total;
        for (int i = 0; i < vocab; i++) {
            u -= weights[i];
            if (u < 0) {
                return i;
            }
        }
        int last = vocab - 1; // rounding: the last token with any weight
        while (last > 0 && weights[last] == 0) {
            last--;
        }
        return last;
    }

    /**
     * A weight threshold whose tokens at or above it carry at least {@code need} mass, lowered
     * from 1/2 by a factor 16 at a time: usually one or two passes leave a few dozen candidates
     * to sort instead of the whole vocabulary.
     */
    private double nucleusThreshold(int vocab, double need) {
        for (double t = 0.5; t > 1e-12; t /= 16) {
            double mass = 0;
            for (int i = 0; i < vocab; i++) {
                if (weights[i] >= t) {
                    mass += weights[i];
                }
            }
            if (mass >= need) {
                return t;
            }
        }
        return 0;
    }

    /** The k-th largest weight, with a min-heap of the k largest seen so far. */
    private double kthLargest(int vocab, int k) {
        if (heap.length < k) {
            heap = new double[k];
        }
        int size = 0;
        for (int i = 0; i < vocab; i++) {
            double w = weights[i];
            if (size < k) {
                int j = size++;
                heap[j] = w;
                while (j > 0 && heap[(j - 1) / 2] > heap[j]) { // sift up
                    swap(j, (j - 1) / 2);
                    j = (j - 1) / 2;
                }
            } else if (w > heap[0]) {
                heap[0] = w;
                int j = 0;
                while (true) { // sift down
                    int smallest = j;
                    int left = 2 * j + 1;
                    int right = left + 1;
                    if (left < k && heap[left] < heap[smallest]) {
                        smallest = left;
                    }
                    if (right < k && heap[right] < heap[smallest]) {
                        smallest = right;
                    }
                    if (smallest == j) {
                        break;
                    }
                    swap(j, smallest);
                    j = smallest;
                }
            }
        }
        return heap[0];
    }

    private void swap(int a, int b) {
        double t = heap[a];
        heap[a] = heap[b];
        heap[b] = t;
    }
}
