package org.rlhf4j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import java.util.ArrayList;
import java.util.List;
import org.rlhf4j.core.lora.LoraAdapter;
import org.rlhf4j.core.ops.Scalars;

/**
 * The one-token-per-row forward pass of cached generation, over an inference copy of a
 * {@link LlamaModel}'s weights in which every RMSNorm gain is folded into the projection that
 * follows it, the attention scale {@code 1/sqrt(hd)} into the query rows, q/k/v into one
 * projection and gate/up into another. It computes what {@link LlamaModel#hidden} and
 * {@link LlamaModel#logits} compute for one new position (equal up to float rounding), in about
 * 38 libtorch calls per layer instead of the general path's ~64: at batch 1 a decode step of a
 * small model is bound by weight reads and the number of calls, not by arithmetic.
 *
 * <p>The copy costs the memory of the q/k/v, gate/up and LM-head weights while it lives; it is
 * taken from the weights as they are when {@link #of} is called, so a trainer that updates the
 * model makes a new one per generation. It owns a sub-manager of the one it was created from.
 */
public final class FusedDecoder implements AutoCloseable {

    /**
     * One decoder layer's inference weights.
     *
     * @param qkv (H*hd + 2*KV*hd, D): [q * scale; k; v], columns scaled by the input norm's gain
     * @param qkvBias ((H + 2*KV) * hd), the query part scaled, or null
     * @param o the model's own (D, H*hd) output projection; {@code oBias} (D) or null
     * @param gateUp (2F, D): [gate; up], columns scaled by the post-attention norm's gain
     * @param down the model's own (D, F)
     */
    private record Layer(NDArray qkv, NDArray qkvBias, NDArray o, NDArray oBias, NDArray gateUp, NDArray down) {}

    private final NDManager manager;
    private final LlamaConfig config;
    private final DataType dtype;
    private final NDArray embedding;
    private final List<Layer> layers;
    private final NDArray lmHead; // (V, D), columns scaled by the final norm's gain
    private final RotaryEmbedding rotary;

    private FusedDecoder(NDManager manager, LlamaModel model, List<Layer> layers, NDArray lmHead) {
        this.manager = manager;
        this.config = model.config();
        this.dtype = model.weights().dataType();
        this.embedding = model.embedding();
        this.layers = layers;
        this.lmHead = lmHead;
        this.rotary = model.rotary();
    }

    /**
     * Fuses {@code model}'s current weights, in float32 and then rounded once to the model's dtype.
     * Call it outside a gradient collector.
     */
    public static FusedDecoder of(LlamaModel model, NDManager parent) {
        if (!model.hasLmHead()) {
            throw new IllegalArgumentException(model.config().architecture().hfName() + " has no LM head to decode with");
        }
        LlamaConfig c = model.config();
        // the fused copies keep the projections' dtype: float16 for a frozen half base, else the compute dtype
        DataType dtype = model.weights().get(WeightLayout.layer(0) + "self_attn.q_proj.weight").getDataType();
        NDManager manager = parent.newSubManager();
        List<Layer> layers = new ArrayList<>();
        try (NDManager work = manager.newSubManager()) {
            NDArray queryScale = Scalars.of(work, 1.0 / Math.sqrt(c.headDim()));
            for (DecoderLayer layer : model.layers()) {
                SelfAttention a = layer.attention();
                NDArray gain = columnGain(layer.inputNorm(), work); // (1, D)
                NDArray qkv = gain.mul(copy(a.q(), a.qLora(), work)).mul(queryScale)
                        .concat(gain.mul(copy(a.k(), a.kLora(), work)))
                        .concat(gain.mul(copy(a.v(), a.vLora(), work))); // (H*hd + 2*KV*hd, D)
                NDArray qkvBias = null;
                if (a.qBias() != null || a.kBias() != null || a.vBias() != null) {
                    qkvBias = bias(a.qBias(), a.q(), work).mul(queryScale)
                            .concat(bias(a.kBias(), a.k(), work))
                            .concat(bias(a.vBias(), a.v(), work)); // ((H + 2*KV) * hd)
                }
                NDArray mlpGain = columnGain(layer.postAttentionNorm(), work); // (1, D)
                SwiGluMlp mlp = layer.mlp();
                NDArray gateUp = mlpGain.mul(copy(mlp.gate(), mlp.gateLora(), work))
                        .concat(mlpGain.mul(copy(mlp.up(), mlp.upLora(), work))); // (2F, D)
                layers.add(new Layer(keep(qkv, dtype, manager), keep(qkvBias, dtype, manager),
                        own(a.o(), a.oLora(), dtype, work, manager), a.oBias(), keep(gateUp, dtype, manager),
                        own(mlp.down(), mlp.downLora(), dtype, work, manager)));
            }
            NDArray head = columnGain(model.finalNorm(), work).mul(copy(model.lmHead(), work)); // (V, D)
            return new FusedDecoder(manager, model, List.copyOf(layers), keep(head, dtype, manager));
        }
    }

    /** A float32 copy of {@code array} owned by {@code owner}, so that ops on it land there too. */
    private static NDArray copy(NDArray array, NDManager owner) {
        NDArray copy = array.toType(DataType.FLOAT32, true);
        copy.attach(owner);
        return copy;
    }

    /** {@link #copy(NDArray, NDManager)} of a projection with its LoRA adapter (null: none) folded in. */
    private static NDArray copy(NDArray weight, LoraAdapter lora, NDManager owner) {
        NDArray copy = copy(weight, owner);
        return lora == null ? copy : lora.foldInto(copy);
    }

    /** The model's own projection, or with a LoRA adapter a merged copy of it owned by {@code owner}. */
    private static NDArray own(NDArray weight, LoraAdapter lora, DataType dtype, NDManager work, NDManager owner) {
        return lora == null ? weight : keep(copy(weight, lora, work), dtype, owner);
    }

    /** A norm gain (D) as a row (1, D) that scales the columns (input features) of a projection. */
    private static NDArray columnGain(NDArray gain, NDManager owner) {
        return copy(gain, owner).reshape(1, gain.getShape().get(0));
    }

    /** A projection's bias, or zeros of its output size when it has none. */
    private static NDArray bias(NDArray bias, NDArray weight, NDManager owner) {
        return bias != null ? copy(bias, owner) : owner.zeros(new Shape(weight.getShape().get(0)), DataType.FLOAT32);
    }

    /** {@code fused} rounded to {@code dtype} and moved to {@code owner}; null stays null. */
    private static NDArray keep(NDArray fused, DataType dtype, NDManager owner) {
        if (fused == null) {
            return null;
        }
        NDArray kept = fused.toType(dtype, true);
        kept.attach(owner);
        return kept;
    }

    /**
     * Feeds one token per row at slot {@code cache.length()} and returns the next-token logits.
     * Attention runs over the filled slots only, {@code [0, cache.length()]}: two slicing calls per
     * layer cost less than attending over the whole capacity (measured at batch 16: reading every
     * slot made the fused step slower than the unfused cache, which slices).
     *
     * @param ids the new token of each row (B)
     * @param positions its position id (B)
     * @param bias float32 additive attention bias over the filled slots and the new one, (B * Tk)
     *     row-major with {@code Tk = cache.length() + 1}: 0 where visible, {@link AttentionMask#MASKED}
     *     elsewhere
     * @param cache written at slot {@code length()} and advanced by one
     * @param step receives every array of the step
     * @return float32 logits (B, V)
     */
    public NDArray step(long[] ids, long[] positions, float[] bias, PreallocatedKvCache cache, NDManager step) {
        int batch = ids.length;
        int headDim = config.headDim();
        long keys = cache.length() + 1;
        if (bias.length != batch * keys) {
            throw new IllegalArgumentException("bias has " + bias.length + " entries, expected " + batch + " rows x "
                    + keys + " filled cache slots");
        }
        NDIndex keySlots = new NDIndex().addAllDim(3).addSliceDim(0, keys); // of (B, KV, hd, Tmax)
        NDIndex valueSlots = new NDIndex().addAllDim(2).addSliceDim(0, keys); // of (B, KV, Tmax, hd)
        NDArray idArray = step.create(ids, new Shape(batch, 1)); // (B, 1)
        NDArray x = idArray.getNDArrayInternal().embedding(idArray, embedding, SparseFormat.DENSE)
                .singletonOrThrow(); // (B, 1, D)
        if (x.getDataType() != dtype) { // a frozen half-precision embedding
            x = x.toType(dtype, false);
        }
        NDArray rotation = step.create(rotary.rotations(positions), new Shape(batch, 1, headDim, headDim))
                .toType(dtype, false); // (B, 1, hd, hd)
        NDArray biasArray = step.create(bias, new Shape(batch, 1, 1, keys)); // (B, 1, 1, Tk)
        for (int i = 0; i < layers.size(); i++) {
            x = layer(layers.get(i), i, x, batch, rotation, biasArray, cache, keySlots, valueSlots);
        }
        cache.advance(1);
        NDArray logits = Linear.apply(RmsNorm.normalise(x, config.rmsNormEps()), lmHead, null); // (B, 1, V)
        return logits.toType(DataType.FLOAT32, false).reshape(batch, config.vocabSize());
    }

    /** One decoder layer for one position: {@code x} (B, 1, D) -> (B, 1, D). */
    private NDArray layer(Layer layer, int index, NDArray x, long batch, NDArray rotation, NDArray bias,
            PreallocatedKvCache cache, NDIndex keySlots, NDIndex valueSlots) {
        int heads = config.numAttentionHeads();
        int kvHeads = config.numKeyValueHeads();
        int headDim = config.headDim();
        double eps = config.rmsNormEps();
        NDList qkv = Linear.apply(RmsNorm.normalise(x, eps), layer.qkv(), layer.qkvBias())
                .reshape(batch, 1, heads + 2L * kvHeads, headDim)
                .split(new long[] {heads, heads + kvHeads}, 2); // (B, 1, H | KV | KV, hd)
        // With one position, (B, 1, heads, hd) -> (B, KV, ., hd) is a reshape, no transpose; query
        // head h lands in group h / G of kv head h / G, transformers' repeat_kv order.
        NDArray queries = qkv.get(0).matMul(rotation)
                .reshape(batch, kvHeads, heads / kvHeads, headDim); // (B, KV, G, hd)
        NDArray newKeys = qkv.get(1).matMul(rotation).reshape(batch, kvHeads, 1, headDim); // (B, KV, 1, hd)
        NDArray newValues = qkv.get(2).reshape(batch, kvHeads, 1, headDim);
        cache.write(index, newKeys, newValues);
        NDArray keys = cache.transposedKeys(index).get(keySlots); // (B, KV, hd, Tk), a view
        NDArray values = cache.values(index).get(valueSlots); // (B, KV, Tk, hd)
        keys.attach(x.getManager()); // the views belong to the step, not to the cache's manager
        values.attach(x.getManager());
        NDArray probabilities = queries.matMul(keys) // (B, KV, G, Tk)
                .toType(DataType.FLOAT32, false).add(bias).softmax(-1).toType(dtype, false);
        NDArray mixed = probabilities.matMul(values)
                .reshape(batch, 1, (long) heads * headDim); // (B, 1, H*hd)
        NDArray h = x.add(Linear.apply(mixed, layer.o(), layer.oBias())); // (B, 1, D)
        NDList gateUp = Linear.apply(RmsNorm.normalise(h, eps), layer.gateUp(), null).split(2, 2); // (B, 1, F) x 2
        NDArray gated = SwiGluMlp.gated(gateUp.get(0), gateUp.get(1)); // (B, 1, F)
        return h.add(Linear.apply(gated, layer.down(), null));
    }

    @Override
    public void close() {
        manager.close();
    }
}
