package org.rlhf4j.core.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import org.rlhf4j.core.ops.Scalars;

/**
 * Picks the next token of every row of (B, V) next-token logits where the logits are (libtorch
 * ops on their device) and copies back only B token ids and their log-probabilities, plus, for
 * top-k/top-p, the (B, k) candidates: the same tokens as {@link TokenSampler}, which pulls all
 * B x V logits into Java (at V = 128k that copy and the Java loops cost ~20 ms a step).
 *
 * <p>Same draws as {@link TokenSampler}: the caller passes one uniform number per row from the
 * row's own generator (the same one {@code TokenSampler} would draw), and the inverse CDF walks
 * the tokens in the same order (vocabulary order; for top-k/top-p, descending weight with ties
 * by token id), with the weights {@code exp((logit - max) / T)} in float64 as there. Tokens agree
 * except where a float64 partial sum rounds across the drawn number (probability ~1e-15 per
 * step). Greedy takes the first maximum, as {@code TokenSampler}.
 *
 * <ul>
 *   <li>greedy: {@code argMax} and a float32 {@code logSoftmax}, on the device;
 *   <li>temperature only: float64 weights, {@code cumSum} and the count of partial sums at or
 *       below {@code u * total}, on the device;
 *   <li>top-k / top-p: float64 weights and {@code topK} on the device; the k candidates (k = top-k,
 *       else {@link #NUCLEUS_CANDIDATES}) are ordered and drawn from in Java. A top-p row whose
 *       nucleus is not inside its candidates (a flat distribution) falls back to
 *       {@link TokenSampler} on that row's logits alone.
 * </ul>
 *
 * <p>Not thread-safe (it keeps the fallback sampler's buffers); one per generation.
 */
public final class DeviceSampler {

    /** Candidates fetched per row for top-p without top-k. */
    public static final int NUCLEUS_CANDIDATES = 256;

    private static final int[] VOCAB_AXIS = {1};

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

    public DeviceSampler(SamplingParams params) {
        this.params = params;
        this.fallback = new TokenSampler(params);
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
        if (params.isGreedy()) {
            NDArray tokens = logits.argMax(1); // (B) int64, the first maximum
            NDArray logps = logits.logSoftmax(1).gather(tokens.expandDims(1), 1); // (B, 1)
            return new Picks(ints(tokens.toLongArray()), logps.toFloatArray());
        }
        if (uniforms.length != batch) {
            throw new IllegalArgumentException(uniforms.length + " uniforms for " + batch + " rows");
        }
        NDManager manager = logits.getManager();
        NDArray scaled = logits.toType(DataType.FLOAT64, false);
        NDArray shifted = scaled.sub(scaled.max(VOCAB_AXIS, true)); // (B, V) logit - max
        if (params.temperature() != 1) {
            shifted = shifted.div(Scalars.of(manager, params.temperature(), DataType.FLOAT64));
        }
        NDArray weights = shifted.exp(); // (B, V), the largest exactly 1
        NDArray total = weights.sum(VOCAB_AXIS, true); // (B, 1)
        boolean topK = params.topK() > 0 && params.topK() < vocab;
        boolean topP = params.topP() < 1;
        if (!topK && !topP) {
            NDArray cumulative = weights.cumSum(1); // (B, V)
            NDArray target = manager.create(uniforms, new Shape(batch, 1)).mul(total); // (B, 1)
            // The first token whose partial sum exceeds u * total; rounding past the end: the last
            // token with any weight (where the partial sums reach the total).
            NDArray tokens = cumulative.lte(target).sum(VOCAB_AXIS)
                    .minimum(cumulative.lt(total).sum(VOCAB_AXIS)); // (B) int64
            NDArray logps = shifted.gather(tokens.expandDims(1), 1).sub(total.log()); // (B, 1)
            double[] lp = logps.toDoubleArray();
            float[] out = new float[batch];
            for (int b = 0; b < batch; b++) {
                out[b] = (float) lp[b];
            }
            return new Picks(ints(tokens.toLongArray()), out);
        }
        int k = topK ? params.topK() : Math.min(NUCLEUS_CANDIDATES, vocab);
        // Top-k fetches one more to see a tie at the cut, which topK breaks its own way.
        int fetched = topK ? k + 1 : k;
        NDList top = weights.topK(fetched, 1, true, true); // values (B, k'), float64, indices (B, k') int64
        double[] values = top.get(0).toDoubleArray();
        long[] indices = top.get(1).toLongArray();
        double[] totals = total.toDoubleArray();
        int[] picked = new int[batch];
        float[] logps = new float[batch];
        float[] row;
        for (int b = 0; b < batch; b++) {
            boolean tieAtCut = topK && values[b * fetched + k - 1] == values[b * fetched + k];
            int at = tieAtCut ? -1 : pick(values, indices, b * fetched, k, topK, totals[b], uniforms[b], k == vocab);
            if (at < 0) { // a tie at the top-k cut, or a nucleus past the candidates: this row in Java
                fallbackRows++;
                row = logits.get(b).toFloatArray();
                picked[b] = fallback.next(row, 0, vocab, uniforms[b]);
                logps[b] = fallback.lastLogProb();
                continue;
            }
            picked[b] = candidateTokens[at];
            logps[b] = (float) (Math.log(candidateWeights[at]) - Math.log(totals[b]));
        }
        return new Picks(picked, logps);
    }

    /**
     * TokenSampler's top-k/top-p draw over one row's k largest weights: candidates in descending
     * float32 weight, ties by token id; keep the top k (all candidates for top-p alone), then the
     * shortest prefix reaching {@code topP} of the kept mass (of {@code total} without top-k).
     * Returns -1 when top-p alone needs more than the candidates can show.
     */
    private int pick(double[] values, long[] indices, int from, int k, boolean topK, double total, double uniform,
            boolean wholeVocabulary) {
        if (candidateWeights.length < k) {
            candidateWeights = new double[k];
            candidateTokens = new int[k];
        }
        for (int j = 0; j < k; j++) {
            candidateWeights[j] = values[from + j];
            candidateTokens[j] = (int) indices[from + j];
        }
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

    private static int[] ints(long[] values) {
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (int) values[i];
        }
        return out;
    }
}
