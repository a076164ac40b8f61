package org.rlhf4j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.List;
import org.rlhf4j.core.lora.LoraAdapters;
import org.rlhf4j.core.ops.Scalars;

/**
 * The forward pass of a Llama-family decoder (Llama, Qwen2, Mistral) over {@link ModelWeights},
 * with its LM head and scalar (reward/value) head.
 *
 * <p>Immutable: it holds the config and references to the weight arrays, never generation state
 * (that is a {@link KvCache}). Every intermediate array belongs to the manager of the input ids,
 * so the caller scopes a forward pass by creating its inputs in a per-call or per-step manager;
 * the weights themselves may live anywhere. Computes in the weights' dtype, with norms and
 * softmaxes in float32; a frozen LoRA base held in float16 under float32 compute computes each
 * projection in float16 and everything else in float32 ({@link ModelWeights#holdingBaseIn}).
 *
 * <p>Inside a gradient collector on a thread with a {@link Recompute} tape whose options ask for
 * it, the layer stack is checkpointed ({@link CheckpointedLayers}): end such a backward with
 * {@link Recompute#backward}.
 */
public final class LlamaModel {

    private final LlamaConfig config;
    private final ModelWeights weights;
    private final NDArray embedding;
    private final List<DecoderLayer> layers;
    private final NDArray finalNorm;
    private final NDArray lmHead;
    private final NDArray score;
    private final RotaryEmbedding rotary;
    private final LoraAdapters adapters;

    /** A model over {@code weights}, whose config it takes. */
    public LlamaModel(ModelWeights weights) {
        this(weights, null);
    }

    /**
     * A model over {@code base} with LoRA {@code adapters} (null: none): the projections they target
     * add their updates, and the modules they save replace the base's.
     */
    public LlamaModel(ModelWeights base, LoraAdapters adapters) {
        ModelWeights weights = adapters == null ? base : adapters.applyTo(base);
        this.config = weights.config();
        this.weights = weights;
        this.adapters = adapters;
        this.embedding = weights.get(WeightLayout.EMBED);
        List<DecoderLayer> list = new ArrayList<>();
        for (int i = 0; i < config.numHiddenLayers(); i++) {
            list.add(DecoderLayer.of(weights, i, adapters));
        }
        this.layers = List.copyOf(list);
        this.finalNorm = weights.get(WeightLayout.FINAL_NORM);
        this.score = weights.contains(WeightLayout.SCORE) ? weights.get(WeightLayout.SCORE) : null;
        if (weights.contains(WeightLayout.LM_HEAD)) {
            this.lmHead = weights.get(WeightLayout.LM_HEAD);
        } else {
            this.lmHead = score == null ? embedding : null; // tied; a sequence classifier has no LM head
        }
        this.rotary = new RotaryEmbedding(config);
    }

    public LlamaConfig config() {
        return config;
    }

    /** The weights the model computes with (with LoRA: the frozen base, saved modules replaced). */
    public ModelWeights weights() {
        return weights;
    }

    /** The LoRA adapters, or null for a model without. */
    public LoraAdapters adapters() {
        return adapters;
    }

    /**
     * Final hidden states (B, T, D), after the last RMSNorm, of a padded batch.
     *
     * @param inputIds token ids (B, T), any integer dtype
     * @param attentionMask 1 for real tokens, 0 for padding (B, T), int or float; left and right
     *     padding both give each row's real tokens the same states as the row alone; null means
     *     no padding
     */
    public NDArray hidden(NDArray inputIds, NDArray attentionMask) {
        NDArray mask = attentionMask != null ? attentionMask
                : inputIds.getManager().ones(inputIds.getShape(), DataType.INT64);
        NDArray positionIds = AttentionMask.positionIds(mask); // (B, T)
        NDArray bias = AttentionMask.bias(mask, inputIds.getShape().get(1), config.effectiveSlidingWindow());
        return hidden(inputIds, positionIds, bias, null);
    }

    /**
     * Final hidden states (B, T, D) of {@code T} new positions, attending over {@code cache}'s
     * slots plus the new ones; the building block of cached generation.
     *
     * @param inputIds new token ids (B, T)
     * @param positionIds their position ids (B, T), e.g. the last T columns of
     *     {@link AttentionMask#positionIds} over the whole mask
     * @param attentionBias float32 (B, 1, T, Tk), Tk = cached + T slots, e.g.
     *     {@link AttentionMask#bias}{@code (mask, T, window)} over the mask of all Tk slots
     * @param cache keys and values of earlier slots, appended to and advanced by T; or null
     */
    public NDArray hidden(NDArray inputIds, NDArray positionIds, NDArray attentionBias, KvCache cache) {
        NDManager manager = inputIds.getManager();
        DataType dtype = weights.dataType();
        NDArray ids = inputIds.toType(DataType.INT64, false);
        NDArray x = ids.getNDArrayInternal().embedding(ids, embedding, SparseFormat.DENSE)
                .singletonOrThrow(); // (B, T, D)
        if (x.getDataType() != dtype) { // a frozen half-precision embedding: no gradient to pass through
            x = x.toType(dtype, false);
        }
        RotaryEmbedding.Angles angles = rotary.angles(positionIds, dtype); // (B, T, 1, hd)
        // A torch-created scalar, alive until the caller's manager closes (after backward).
        NDArray scale = Scalars.of(manager, 1.0 / Math.sqrt(config.headDim()), dtype);
        Recompute tape = cache == null ? Recompute.recording() : null;
        if (tape != null && tape.memoryOptions().gradientCheckpointing()) {
            x = CheckpointedLayers.forward(tape, layers, x, angles, attentionBias, scale); // a leaf; layers recomputed in backward
        } else {
            for (int i = 0; i < layers.size(); i++) {
                x = layer(i, x, angles, attentionBias, scale, cache);
            }
        }
        if (cache != null) {
            cache.advance(inputIds.getShape().get(1));
        }
        return RmsNorm.apply(x, finalNorm, config.rmsNormEps()); // (B, T, D)
    }

    /**
     * Layer {@code i}. Without a graph (grad mode off: scoring, reference and critic passes, eval)
     * and without a cache, nothing of a layer outlives it: its intermediates and its input are
     * released as soon as its output exists, so a forward pass holds one layer's arrays at a time
     * instead of every layer's until the caller's manager closes.
     */
    private NDArray layer(int i, NDArray x, RotaryEmbedding.Angles angles, NDArray bias, NDArray scale,
            KvCache cache) {
        if (cache != null || JniUtils.isGradMode()) {
            return layers.get(i).forward(x, angles, bias, scale, cache, i);
        }
        NDArray out;
        try (NDScope scope = new NDScope()) { // closes every array created inside but out
            out = layers.get(i).forward(x, angles, bias, scale, null, i);
            NDScope.unregister(out);
        }
        x.close(); // the embedding or the previous layer's output
        return out;
    }

    List<DecoderLayer> layers() {
        return layers;
    }

    NDArray embedding() {
        return embedding;
    }

    NDArray finalNorm() {
        return finalNorm;
    }

    /** The LM head (V, D), the embedding matrix when tied, or null for a scalar-head model. */
    NDArray lmHead() {
        return lmHead;
    }

    RotaryEmbedding rotary() {
        return rotary;
    }

    /** Whether this model has an LM head (its own or tied to the embeddings). */
    public boolean hasLmHead() {
        return lmHead != null;
    }

    /** Whether this model has a scalar head ({@code score.weight}). */
    public boolean hasScoreHead() {
        return score != null;
    }

    /** Next-token logits (B, T, V) from hidden states (B, T, D). */
    public NDArray logits(NDArray hidden) {
        if (lmHead == null) {
            throw new IllegalStateException(config.architecture().hfName() + " has no LM head (it has score.weight)");
        }
        return Linear.apply(hidden, lmHead, null);
    }

    /** Scalar head output (B, T) at every position, from hidden states (B, T, D). */
    public NDArray scores(NDArray hidden) {
        if (score == null) {
            throw new IllegalStateException(config.architecture().hfName()
                    + " has no score.weight; use a *ForSequenceClassification config for reward/value models");
        }
        if (score.getShape().get(0) != 1) {
            throw new IllegalStateException("scores() needs num_labels 1, this model has " + score.getShape().get(0));
        }
        return Linear.apply(hidden, score, null).squeeze(-1); // (B, T)
    }

    /** Scalar head output (B) at each row's last real token, for left or right padding. */
    public NDArray lastTokenScores(NDArray hidden, NDArray attentionMask) {
        NDArray index = AttentionMask.lastTokenIndex(attentionMask).expandDims(1); // (B, 1)
        return scores(hidden).gather(index, 1).squeeze(1); // (B)
    }
}
