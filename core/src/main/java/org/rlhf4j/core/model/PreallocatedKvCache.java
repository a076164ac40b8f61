package org.rlhf4j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * A {@link KvCache} that allocates (B, KV, Tmax, hd) key and value arrays per layer up front and
 * writes new positions into them in place, so a decode step copies only the new slots.
 * It owns a sub-manager of the one it was created from; close it when the generation is done.
 */
public final class PreallocatedKvCache implements KvCache, AutoCloseable {

    private final NDManager manager;
    private final NDArray[] keys;
    private final NDArray[] values;
    private final NDArray[] transposedKeys; // views (B, KV, hd, Tmax) of keys
    private final long capacity;
    private long length;

    private PreallocatedKvCache(NDManager manager, NDArray[] keys, NDArray[] values, long capacity) {
        this.manager = manager;
        this.keys = keys;
        this.values = values;
        this.transposedKeys = new NDArray[keys.length];
        for (int i = 0; i < keys.length; i++) {
            transposedKeys[i] = keys[i].transpose(0, 1, 3, 2);
        }
        this.capacity = capacity;
    }

    /**
     * A zeroed cache for {@code batch} rows of at most {@code capacity} slots, in {@code dtype}
     * (the model's compute dtype), on {@code parent}'s device.
     */
    public static PreallocatedKvCache create(NDManager parent, LlamaConfig config, long batch, long capacity,
            DataType dtype) {
        NDManager manager = parent.newSubManager();
        int layers = config.numHiddenLayers();
        Shape shape = new Shape(batch, config.numKeyValueHeads(), capacity, config.headDim());
        NDArray[] keys = new NDArray[layers];
        NDArray[] values = new NDArray[layers];
        for (int i = 0; i < layers; i++) {
            keys[i] = manager.zeros(shape, dtype);
            values[i] = manager.zeros(shape, dtype);
        }
        return new PreallocatedKvCache(manager, keys, values, capacity);
    }

    @Override
    public long length() {
        return length;
    }

    /** Maximum number of slots. */
    public long capacity() {
        return capacity;
    }

    @Override
    public NDList append(int layer, NDArray newKeys, NDArray newValues) {
        long end = write(layer, newKeys, newValues);
        NDIndex filled = new NDIndex().addAllDim(2).addSliceDim(0, end);
        NDArray k = keys[layer].get(filled); // (B, KV, Tk, hd), a view of the cache
        NDArray v = values[layer].get(filled);
        // The views belong to the forward pass, not the cache: without this every step would leave
        // two wrappers per layer in the cache's manager until the whole generation ends.
        k.attach(newKeys.getManager());
        v.attach(newKeys.getManager());
        return new NDList(k, v);
    }

    /**
     * Stores layer {@code layer}'s keys and values of {@code T} new positions, (B, KV, T, hd)
     * each, at slots {@code [length(), length() + T)}, and returns {@code length() + T}.
     */
    public long write(int layer, NDArray newKeys, NDArray newValues) {
        long count = newKeys.getShape().get(2);
        long end = length + count;
        if (end > capacity) {
            throw new IllegalStateException("KV cache full: " + length + " + " + count
                    + " slots exceed its capacity of " + capacity);
        }
        NDIndex slots = new NDIndex().addAllDim(2).addSliceDim(length, end);
        keys[layer].set(slots, newKeys);
        values[layer].set(slots, newValues);
        return end;
    }

    /**
     * Layer {@code layer}'s keys over all {@link #capacity} slots, transposed for {@code q K^T}:
     * (B, KV, hd, Tmax), a view that follows every {@link #write}. Slots past {@link #length}
     * hold zeros or stale keys, which an attention bias must mask.
     */
    public NDArray transposedKeys(int layer) {
        return transposedKeys[layer];
    }

    /** Layer {@code layer}'s values over all {@link #capacity} slots, (B, KV, Tmax, hd); see {@link #transposedKeys}. */
    public NDArray values(int layer) {
        return values[layer];
    }

    @Override
    public void advance(long positions) {
        if (length + positions > capacity) {
            throw new IllegalStateException("KV cache full: cannot advance " + positions + " past " + capacity);
        }
        length += positions;
    }

    /** Forgets all cached positions (the arrays are kept for reuse). */
    public void reset() {
        length = 0;
    }

    @Override
    public void close() {
        manager.close();
    }
}
