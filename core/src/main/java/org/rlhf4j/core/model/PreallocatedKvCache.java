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
    private final long capacity;
    private long length;

    private PreallocatedKvCache(NDManager manager, NDArray[] keys, NDArray[] values, long capacity) {
        this.manager = manager;
        this.keys = keys;
        this.values = values;
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
        long end = length + newKeys.getShape().get(2);
        if (end > capacity) {
            throw new IllegalStateException("KV cache full: " + length + " + " + newKeys.getShape().get(2)
                    + " slots exceed its capacity of " + capacity);
        }
        NDIndex write = new NDIndex().addAllDim(2).addSliceDim(length, end);
        keys[layer].set(write, newKeys);
        values[layer].set(write, newValues);
        NDIndex filled = new NDIndex().addAllDim(2).addSliceDim(0, end);
        NDArray k = keys[layer].get(filled); // (B, KV, Tk, hd), a view of the cache
        NDArray v = values[layer].get(filled);
        // The views belong to the forward pass, not the cache: without this every step would leave
        // two wrappers per layer in the cache's manager until the whole generation ends.
        k.attach(newKeys.getManager());
        v.attach(newKeys.getManager());
        return new NDList(k, v);
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
