package org.rlhf4j.core.io;

import ai.djl.ndarray.NDArray;
import java.util.LinkedHashMap;
import org.rlhf4j.core.model.LlamaConfig;

/**
 * A model loaded from a Hugging Face directory. Closing it closes the weight arrays.
 *
 * @param config the parsed {@code config.json}
 * @param weights every tensor {@code WeightLayout.expectedShapes(config)} names, in that order, in
 *     the compute dtype, each owning its memory (safe to train in place)
 * @param generation {@code generation_config.json}, or the one derived from {@code config} when absent
 */
public record Checkpoint(LlamaConfig config, LinkedHashMap<String, NDArray> weights, GenerationConfig generation)
        implements AutoCloseable {

    @Override
    public void close() {
        weights.values().forEach(NDArray::close);
    }
}
