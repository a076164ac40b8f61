package org.rlhf4j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.List;
import org.rlhf4j.core.ops.Scalars;

/**
 * The LM head's log-probabilities of given target tokens, and optionally the entropy of each
 * next-token distribution, from final hidden states, computed over at most
 * {@link MemoryOptions#logitsChunkTokens} tokens at a time so that the (tokens, V) float32 logits
 * and their log-softmax never exist for the whole batch.
 *
 * <p>Without a graph (grad mode off) the chunks are simply computed one after the other. Under
 * autograd a chunk's logits would stay alive for the backward pass, so the chunks run without the
 * tape and the results become leaves; in the backward pass ({@link Recompute}) each chunk is
 * recomputed with the tape on and backpropagated, one at a time. Without a {@link Recompute} tape,
 * or when the batch fits one chunk, everything is computed in one piece as before.
 */
public final class LmHeadLogps {

    private static final int[] LAST_AXIS = {-1};

    private LmHeadLogps() {}

    /**
     * @param logps (B, T) float32 {@code log softmax(logits / temperature)[target]}
     * @param entropy (B, T) float32 {@code -sum_v p_v log p_v} of the same distribution, or null
     *     when not asked for
     */
    public record Scores(NDArray logps, NDArray entropy) {}

    private static final NDIndex ALL_BUT_LAST = new NDIndex(":, :-1");
    private static final NDIndex ALL_BUT_FIRST = new NDIndex(":, 1:");

    /**
     * A causal LM's next-token log-probs: {@code ids[:, 1:]} (B, T-1) under the head at
     * {@code hidden[:, :-1]} (B, T, D in). When the run does not chunk this batch, the head runs
     * over all T positions and the logits are sliced, exactly the computation (and so the floats)
     * of the trainers before the chunked head existed; a head over T-1 rows would round
     * differently and move every seeded result.
     */
    public static NDArray nextTokenLogps(LlamaModel model, NDArray hidden, NDArray ids) {
        Shape shape = hidden.getShape();
        long tokens = shape.get(0) * (shape.get(1) - 1);
        if (!Recompute.options().chunks(tokens, model.config().vocabSize())) {
            return TokenLogps.of(model.logits(hidden).get(ALL_BUT_LAST), ids.get(ALL_BUT_FIRST)); // (B, T-1)
        }
        return of(model, hidden.get(ALL_BUT_LAST), ids.get(ALL_BUT_FIRST), 1.0, false).logps();
    }

    /**
     * Scores {@code targets} (B, T), any integer dtype, under the LM head applied to
     * {@code hidden} (B, T, D), with logits divided by {@code temperature} (1 for none). The
     * caller aligns targets with positions (for a causal LM, the ids shifted left by one) and
     * masks padding afterwards.
     */
    public static Scores of(LlamaModel model, NDArray hidden, NDArray targets, double temperature, boolean entropy) {
        Shape shape = hidden.getShape();
        long rows = shape.get(0);
        long length = shape.get(1);
        long tokens = rows * length;
        MemoryOptions options = Recompute.options();
        Recompute tape = Recompute.recording();
        boolean graph = JniUtils.isGradMode();
        if (!options.chunks(tokens, model.config().vocabSize()) || (graph && tape == null)) {
            NDArray[] out = piece(model, hidden, targets.toType(DataType.INT64, false), temperature, entropy);
            return new Scores(out[0], entropy ? out[1] : null);
        }
        NDArray flatHidden = hidden.reshape(tokens, shape.get(2)); // (N, D)
        NDArray flatTargets = targets.toType(DataType.INT64, false).reshape(tokens); // (N)
        Chunks chunks = new Chunks(model, flatTargets, temperature, entropy, options.chunkTokens());
        NDArray[] flat = graph ? chunks.recorded(tape, flatHidden) : chunks.values(flatHidden);
        return new Scores(flat[0].reshape(rows, length), entropy ? flat[1].reshape(rows, length) : null);
    }

    /**
     * One piece: {@code h} (..., D) and {@code targets} (...) int64 -> {log-probs (...),
     * entropies (...) when asked}, float32; every array lands in {@code h}'s manager.
     */
    private static NDArray[] piece(LlamaModel model, NDArray h, NDArray targets, double temperature, boolean entropy) {
        NDArray logits = model.logits(h).toType(DataType.FLOAT32, false); // (..., V)
        if (temperature != 1) {
            // A torch-made scalar, not div(Number), which corrupts gradients (DJL-NOTES item 2).
            logits = logits.div(Scalars.of(h.getManager(), temperature));
        }
        NDArray logProbs = logits.logSoftmax(-1); // (..., V)
        NDArray logps = logProbs.gather(targets.expandDims(-1), -1).squeeze(-1); // (...)
        if (!entropy) {
            return new NDArray[] {logps};
        }
        NDArray h2 = logProbs.exp().mul(logProbs).sum(LAST_AXIS).neg(); // (...)
        return new NDArray[] {logps, h2};
    }

    /** The chunked computation over flattened tokens, and its deferred backward. */
    private static final class Chunks implements Recompute.Segment {
        private final LlamaModel model;
        private final NDArray targets; // (N) int64
        private final double temperature;
        private final boolean entropy;
        private final int chunk;
        private final long tokens;
        private NDArray input; // (N, D) hidden states, in their graph
        private NDArray[] leaves; // (N) log-probs [, (N) entropies], leaves requiring gradients

        Chunks(LlamaModel model, NDArray targets, double temperature, boolean entropy, int chunk) {
            this.model = model;
            this.targets = targets;
            this.temperature = temperature;
            this.entropy = entropy;
            this.chunk = chunk;
            this.tokens = targets.getShape().get(0);
        }

        private NDIndex range(long from) {
            return new NDIndex("{}:{}", from, Math.min(tokens, from + chunk));
        }

        /** The results without a graph, one chunk's intermediates alive at a time. */
        NDArray[] values(NDArray hidden) {
            NDManager manager = hidden.getManager();
            List<NDArray> logps = new ArrayList<>();
            List<NDArray> entropies = new ArrayList<>();
            for (long from = 0; from < tokens; from += chunk) {
                try (NDManager scope = manager.newSubManager()) {
                    NDIndex range = range(from);
                    NDArray[] out = piece(model, Recompute.view(hidden, scope).get(range),
                            Recompute.view(targets, scope).get(range), temperature, entropy); // (n) each
                    out[0].attach(manager);
                    logps.add(out[0]);
                    if (entropy) {
                        out[1].attach(manager);
                        entropies.add(out[1]);
                    }
                }
            }
            NDArray logp = NDArrays.concat(new NDList(logps)); // (N)
            return entropy ? new NDArray[] {logp, NDArrays.concat(new NDList(entropies))} : new NDArray[] {logp};
        }

        /** The results as leaves of the graph, their backward recorded on {@code tape}. */
        NDArray[] recorded(Recompute tape, NDArray hidden) {
            input = hidden;
            NDArray[] values = Recompute.withoutTape(() -> values(hidden));
            leaves = new NDArray[values.length];
            for (int i = 0; i < values.length; i++) {
                leaves[i] = Recompute.leaf(values[i], hidden.getManager());
            }
            tape.push(this);
            return leaves;
        }

        @Override
        public NDManager manager() {
            return input.getManager();
        }

        @Override
        public void backward() {
            NDManager manager = manager();
            NDArray logpGrad = Recompute.gradientOrNull(leaves[0], manager); // (N) or null
            NDArray entropyGrad = entropy ? Recompute.gradientOrNull(leaves[1], manager) : null;
            if (logpGrad == null && entropyGrad == null) {
                return;
            }
            List<NDArray> inputGrads = new ArrayList<>();
            for (long from = 0; from < tokens; from += chunk) {
                try (NDManager scope = manager.newSubManager()) { // the chunk's logits die after its backward
                    NDIndex range = range(from);
                    NDArray h = Recompute.leaf(Recompute.view(input, scope).get(range), scope); // (n, D)
                    NDArray[] out = piece(model, h, Recompute.view(targets, scope).get(range), temperature,
                            entropyGrad != null);
                    // d/d out of sum(out * g) is g: one backward carries both upstream gradients
                    NDArray objective = null;
                    if (logpGrad != null) {
                        objective = out[0].mul(Recompute.view(logpGrad, scope).get(range)).sum();
                    }
                    if (entropyGrad != null) {
                        NDArray term = out[1].mul(Recompute.view(entropyGrad, scope).get(range)).sum();
                        objective = objective == null ? term : objective.add(term);
                    }
                    Recompute.backward(objective, scope.ones(objective.getShape(), objective.getDataType()), false);
                    inputGrads.add(Recompute.gradientOrNull(h, manager)); // (n, D)
                }
            }
            NDArray inputGrad = NDArrays.concat(new NDList(inputGrads)); // (N, D)
            Recompute.backwardIntoGraph(input, inputGrad);
            inputGrad.close();
            inputGrads.forEach(NDArray::close);
        }
    }
}
