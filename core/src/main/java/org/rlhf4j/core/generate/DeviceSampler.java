package org.rlhf4j.core.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import org.rlhf4j.core.ops.Scalars;

/**
 * Picks the next token of every row of (B, V) next-token logits where the logits are (libtorch
 * ops on their device) and copies back B token ids and log-probabilities plus a few small
 * arrays, not the B x V logits that {@link TokenSampler} needs (at V = 128k that copy and the
 * Java loops over it cost ~20 ms a step).
 *
 * <p>Small logits (at most {@link #JAVA_MAX_ENTRIES} entries, e.g. 16 rows of a 4k vocabulary)
 * are copied whole and sampled by {@link TokenSampler}, where one copy is cheaper than the ops.
 *
 * <p>Same draws as {@link TokenSampler}: the caller passes one uniform number per row from the
 * row's own generator (the one {@code TokenSampler} would draw from), and the inverse CDF walks
 * the tokens in the same order (vocabulary order; for top-k/top-p, descending weight with ties by
 * token id). Greedy takes the first maximum, as {@code TokenSampler}.
 *
 * <ul>
 *   <li>greedy: a max reduction over blocks of the vocabulary (see {@link #blockSize}), then the
 *       float32 {@code logSoftmax} of the first block holding each row's maximum, gathered for
 *       all rows in one call and searched. Tokens identical to {@code TokenSampler}'s.
 *   <li>temperature only: {@code softmax(logits / T)} summed per block; the block where the
 *       running sum passes {@code u * total} is copied back and walked. The sums are float32
 *       where {@code TokenSampler} sums float64 weights, so a draw that falls within rounding of a
 *       token boundary (about 1e-7 relative) can pick the neighbour: rare, and both are exact
 *       samples of the distribution.
 *   <li>top-k / top-p: {@code topK} of the logits on the device and {@code log(total)} from a
 *       {@code logSoftmax}; the weights of the k candidates (k = top-k, else
 *       {@link #NUCLEUS_CANDIDATES}) are formed, ordered and drawn from in Java exactly as
 *       {@code TokenSampler} does. A row whose k-th and (k+1)-th logits are equal (topK breaks the
 *       tie its own way), or a top-p row whose nucleus is not inside its candidates (a flat
 *       distribution), falls back to {@link TokenSampler} on that row's logits alone.
 * </ul>
 *
 * <p>Not thread-safe (it keeps scratch buffers); one per generation.
 */
public final class DeviceSampler {

    /** Candidates fetched per row for top-p without top-k. */
    public static final int NUCLEUS_CANDIDATES = 256;

    private static final int[] BLOCK_AXIS = {2};
    private static final NDIndex FIRST_COLUMN = new NDIndex(":, :1");

    private final SamplingParams params;
    private final TokenSampler fallback;
    private long fallbackRows;
    private double[] candidateWeights = new double[0]; // one row's candidates, in drawing order
    private int[] candidateTokens = new int[0];

    /**
     * Tokens and their log-probabilities {@code log_softmax(logits / T)[token]} (T = 1 when greedy).
     *
     * @param tokens (B) token ids
     * @param logps (B) log-probabilities
     */
    public record Picks(int[] tokens, float[] logps) {}

    /**
     * Logits of at most this many entries (B x V) are copied whole and sampled by
     * {@link TokenSampler}: below it one copy costs less than the device ops' round trips
     * ({@code ./bench/run sampling}, B = 16: the Java path is faster up to V = 1,024, even at
     * V = 4,096, and the device path from V = 16,384).
     */
    public static final long JAVA_MAX_ENTRIES = 65_536;

    private final long javaMaxEntries;

    public DeviceSampler(SamplingParams params) {
        this(params, JAVA_MAX_ENTRIES);
    }

    /** A sampler that copies logits of at most {@code javaMaxEntries} entries to Java (0: never). */
    DeviceSampler(SamplingParams params, long javaMaxEntries) {
        this.params = params;
        this.fallback = new TokenSampler(params);
        this.javaMaxEntries = javaMaxEntries;
    }

    /** The temperature of the reported log-probabilities: the sampling temperature, or 1 when greedy. */
    public double logProbTemperature() {
        return fallback.logProbTemperature();
    }

    /** Rows sampled by the Java fallback so far (a tie at the top-k cut, or a nucleus past the candidates). */
    public long fallbackRows() {
        return fallbackRows;
    }

    /**
     * The next token of each row.
     *
     * @param logits float32 (B, V); every array made here belongs to its manager
     * @param uniforms (B) numbers in [0, 1), one per row (ignored when greedy)
     */
    public Picks next(NDArray logits, double[] uniforms) {
        int batch = (int) logits.getShape().get(0);
        int vocab = (int) logits.getShape().get(1);
        if (!params.isGreedy() && uniforms.length != batch) {
            throw new IllegalArgumentException(uniforms.length + " uniforms for " + batch + " rows");
        }
        if ((long) batch * vocab <= javaMaxEntries) {
            float[] all = logits.toFloatArray();
            int[] tokens = new int[batch];
            float[] logps = new float[batch];
            for (int b = 0; b < batch; b++) {
                tokens[b] = fallback.next(all, b * vocab, vocab, params.isGreedy() ? 0 : uniforms[b]);
                logps[b] = fallback.lastLogProb();
            }
            return new Picks(tokens, logps);
        }
        NDManager manager = logits.getManager();
        int block = blockSize(vocab);
        int blocks = vocab / block;
        if (params.isGreedy()) {
            return greedy(logits, blocks, block);
        }
        NDArray scaled = params.temperature() == 1 ? logits
                : logits.div(Scalars.of(manager, params.temperature())); // (B, V) logits / T
        boolean topK = params.topK() > 0 && params.topK() < vocab;
        boolean topP = params.topP() < 1;
        if (!topK && !topP) {
            // Inverse CDF over the vocabulary in token order, in two levels: the block whose
            // running sum of softmax(logits / T) passes u times the total, then the token in it.
            NDArray blocked = scaled.softmax(1).reshape(batch, blocks, block); // (B, V / blk, blk)
            float[] sums = blocked.sum(BLOCK_AXIS).toFloatArray(); // (B, V / blk)
            int[] tokens = new int[batch];
            float[] logps = new float[batch];
            for (int b = 0; b < batch; b++) {
                double total = 0;
                int last = 0; // the last block with any mass
                for (int j = 0; j < blocks; j++) {
                    total += sums[b * blocks + j];
                    last = sums[b * blocks + j] > 0 ? j : last;
                }
                double u = uniforms[b] * total;
                int at = last;
                for (int j = 0; j < blocks; j++) {
                    if (u < sums[b * blocks + j]) {
                        at = j;
                        break;
                    }
                    u -= sums[b * blocks + j];
                }
                float[] probabilities = blocked.get(new NDIndex(b, at)).toFloatArray(); // (blk)
                int token = -1;
                int lastInBlock = 0;
                for (int i = 0; i < block; i++) {
                    lastInBlock = probabilities[i] > 0 ? i : lastInBlock;
                    u -= probabilities[i];
                    if (u < 0 && token < 0) {
                        token = i;
                    }
                }
                token = token < 0 ? lastInBlock : token; // rounding left u at or just above 0
                tokens[b] = at * block + token;
                logps[b] = (float) Math.log(probabilities[token]);
            }
            return new Picks(tokens, logps);
        }
        // Top-k/top-p: the candidates are the largest logits (the same order as the weights);
        // the weights exp((logit - max) / T) are formed in Java from them, as TokenSampler does,
        // and log(total) is -max(log_softmax(logits / T)), the log-prob of the argmax.
        int k = topK ? params.topK() : Math.min(NUCLEUS_CANDIDATES, vocab);
        int fetched = topK ? k + 1 : k; // top-k: one more, to see a tie at the cut (topK breaks it its own way)
        NDList top = logits.topK(fetched, 1, true, true); // values (B, k') float32, indices (B, k') int64
        NDArray argmax = top.get(1).get(FIRST_COLUMN); // (B, 1)
        double[] logTotals = toDoubles(scaled.logSoftmax(1).gather(argmax, 1).neg().toFloatArray()); // (B)
        float[] values = top.get(0).toFloatArray();
        long[] indices = top.get(1).toLongArray();
        int[] picked = new int[batch];
        float[] logps = new float[batch];
        double temperature = params.temperature();
        for (int b = 0; b < batch; b++) {
            int from = b * fetched;
            boolean tieAtCut = topK && values[from + k - 1] == values[from + k];
            int at = -1;
            if (!tieAtCut) {
                float max = values[from];
                if (candidateWeights.length < k) {
                    candidateWeights = new double[k];
                    candidateTokens = new int[k];
                }
                for (int j = 0; j < k; j++) {
                    candidateWeights[j] = Math.exp((values[from + j] - max) / temperature);
                    candidateTokens[j] = (int) indices[from + j];
                }
                at = pick(k, topK, Math.exp(logTotals[b]), uniforms[b], k == vocab);
            }
            if (at < 0) { // a tie at the top-k cut, or a nucleus past the candidates: this row in Java
                fallbackRows++;
                picked[b] = fallback.next(logits.get(b).toFloatArray(), 0, vocab, uniforms[b]);
                logps[b] = fallback.lastLogProb();
                continue;
            }
            picked[b] = candidateTokens[at];
            logps[b] = (float) (Math.log(candidateWeights[at]) - logTotals[b]);
        }
        return new Picks(picked, logps);
    }

    /** Each row's first maximum and its log-prob (see the class notes); the vocabulary is {@code blocks * block}. */
    private Picks greedy(NDArray logits, int blocks, int block) {
        int batch = (int) logits.getShape().get(0);
        NDManager manager = logits.getManager();
        // The first maximum: the first block holding the row's maximum (libtorch's argMax is
        // several times slower than a max reduction on CPU), then its slot. The B blocks of
        // log_softmax come back in one gather; log_softmax is monotone in the logits, so a
        // maximum that appears once in a row's block is the logits' maximum. Where rounding
        // made two of them equal, the logits of the blocks decide (one more gather).
        NDArray blocked = logits.reshape(batch, blocks, block); // (B, V / blk, blk)
        float[] blockMax = blocked.max(BLOCK_AXIS).toFloatArray(); // (B, V / blk)
        long[] slotIndex = new long[batch * block];
        float[] rowMax = new float[batch];
        for (int b = 0; b < batch; b++) {
            rowMax[b] = Float.NEGATIVE_INFINITY;
            int at = 0;
            for (int j = 0; j < blocks; j++) {
                if (blockMax[b * blocks + j] > rowMax[b]) {
                    rowMax[b] = blockMax[b * blocks + j];
                    at = j;
                }
            }
            for (int i = 0; i < block; i++) {
                slotIndex[b * block + i] = (long) at * block + i;
            }
        }
        NDArray index = manager.create(slotIndex, new Shape(batch, block)); // (B, blk)
        float[] slotLogps = logits.logSoftmax(1).gather(index, 1).toFloatArray(); // (B, blk)
        float[] slotLogits = null;
        int[] tokens = new int[batch];
        float[] logps = new float[batch];
        for (int b = 0; b < batch; b++) {
            int first = b * block;
            int best = first;
            int ties = 0;
            for (int i = first; i < first + block; i++) {
                if (slotLogps[i] > slotLogps[best]) {
                    best = i;
                    ties = 0;
                } else if (slotLogps[i] == slotLogps[best] && i != best) {
                    ties++;
                }
            }
            if (ties > 0) {
                slotLogits = slotLogits != null ? slotLogits : logits.gather(index, 1).toFloatArray();
                best = first;
                while (best < first + block - 1 && slotLogits[best] != rowMax[b]) {
                    best++;
                }
            }
            tokens[b] = (int) slotIndex[best];
            logps[b] = slotLogps[best];
        }
        return new Picks(tokens, logps);
    }

    /**
     * TokenSampler's top-k/top-p draw over one row's k largest weights: candidates in descending
     * float32 weight, ties by token id; keep the top k (all candidates for top-p alone), then the
     * shortest prefix reaching {@code topP} of the kept mass (of {@code total} without top-k).
     * Returns -1 when top-p alone needs more than the candidates can show.
     */
    private int pick(int k, boolean topK, double total, double uniform, boolean wholeVocabulary) {
        // topK's order is descending in float64, so descending in float32 too; within a run of
        // equal float32 candidateWeights TokenSampler orders by token id.
        for (int j = 1; j < k; j++) {
            float key = (float) candidateWeights[j];
            for (int i = j; i > 0 && (float) candidateWeights[i - 1] == key && candidateTokens[i - 1] > candidateTokens[i]; i--) {
                swap(i - 1, i);
            }
        }
        double base = total;
        if (topK) {
            base = 0;
            for (int j = 0; j < k; j++) {
                base += candidateWeights[j];
            }
        }
        boolean topP = params.topP() < 1;
        double kept = 0;
        int count = 0;
        boolean reached = false;
        while (count < k) {
            kept += candidateWeights[count];
            count++;
            if (topP && kept >= params.topP() * base) {
                reached = true;
                break;
            }
        }
        // Tokens outside the candidates weigh at most the smallest candidate: a nucleus that ends
        // on that float32 weight could, in TokenSampler's order, continue with one of them.
        if (topP && !topK && !wholeVocabulary
                && (!reached || (float) candidateWeights[count - 1] == (float) candidateWeights[k - 1])) {
            return -1;
        }
        double u = uniform * kept;
        for (int j = 0; j < count; j++) {
            u -= candidateWeights[j];
            if (u < 0) {
                return j;
            }
        }
        return count - 1; // rounding left u at or just above 0
    }

    private void swap(int a, int b) {
        double w = candidateWeights[a];
        candidateWeights[a] = candidateWeights[b];
        candidateWeights[b] = w;
        int t = candidateTokens[a];
        candidateTokens[a] = candidateTokens[b];
        candidateTokens[b] = t;
    }

    /**
     * The block size for the two-level passes: the divisor {@code d} of {@code vocab} with the
     * fewest values to copy back, {@code vocab / d} block results plus one block of {@code d}
     * (about sqrt(V): 160 for V = 32,000, 320 for 128,000; V itself when V is prime).
     */
    public static int blockSize(int vocab) {
        int best = vocab;
        for (int d = 1; (long) d * d <= vocab; d++) {
            if (vocab % d == 0) {
                for (int size : new int[] {d, vocab / d}) {
                    if (vocab / size + size < vocab / best + best) {
                        best = size;
                    }
                }
            }
        }
        return best;
    }

    private static double[] toDoubles(float[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }
}
