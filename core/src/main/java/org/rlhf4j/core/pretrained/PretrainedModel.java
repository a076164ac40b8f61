package org.rlhf4j.core.pretrained;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import org.rlhf4j.core.config.UserException;
import org.rlhf4j.core.io.Checkpoint;
import org.rlhf4j.core.io.GenerationConfig;
import org.rlhf4j.core.io.ModelDirectory;
import org.rlhf4j.core.io.SaveDtype;
import org.rlhf4j.core.model.LlamaConfig;
import org.rlhf4j.core.model.LlamaModel;
import org.rlhf4j.core.model.ModelWeights;
import org.rlhf4j.core.model.NonFiniteTensors;
import org.rlhf4j.core.tokenizer.Tokenizer;
import org.rlhf4j.core.tokenizer.Tokenizers;

/**
 * A Hugging Face model directory in memory: the model, its tokenizer and its generation
 * defaults, with the weights owned by a manager of their own that {@link #close} releases.
 */
public final class PretrainedModel implements AutoCloseable {

    private final LlamaModel model;
    private final Tokenizer tokenizer;
    private final GenerationConfig generation;
    private final NDManager manager;

    public PretrainedModel(LlamaModel model, Tokenizer tokenizer, GenerationConfig generation, NDManager manager) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.generation = generation;
        this.manager = manager;
    }

    /**
     * Loads {@code dir} (written by this toolkit or by transformers) onto {@code device}, with
     * floating weights converted to {@code dtype}.
     */
    public static PretrainedModel load(Path dir, Device device, DataType dtype) throws IOException {
        NDManager manager = NDManager.newBaseManager(device);
        try {
            Checkpoint checkpoint = ModelDirectory.load(dir, manager, dtype);
            Optional<String> nonFinite = NonFiniteTensors.first(checkpoint.weights());
            if (nonFinite.isPresent()) {
                throw new IOException(dir + ": tensor '" + nonFinite.get() + "' has NaN or infinite values;"
                        + " the model diverged when it was trained or the file is corrupt");
            }
            ModelWeights weights;
            try {
                weights = ModelWeights.of(checkpoint.config(), checkpoint.weights());
            } catch (IllegalArgumentException e) {
                // the tensors do not fit config.json: the directory is at fault, so name it
                throw new UserException(dir + ": " + e.getMessage(), e);
            }
            Tokenizer tokenizer = Tokenizers.load(dir);
            checkVocabulary(dir, checkpoint.config(), tokenizer);
            return new PretrainedModel(new LlamaModel(weights), tokenizer, checkpoint.generation(), manager);
        } catch (IOException | RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** Loads onto the CPU in float32. */
    public static PretrainedModel load(Path dir) throws IOException {
        return load(dir, Device.cpu(), DataType.FLOAT32);
    }

    private static void checkVocabulary(Path dir, LlamaConfig config, Tokenizer tokenizer) {
        // Embedding tables are often padded past the tokenizer (Qwen2), never the other way round.
        if (tokenizer.vocabSize() > config.vocabSize()) {
            throw new UserException(dir + ": tokenizer has " + tokenizer.vocabSize()
                    + " ids but config.json vocab_size is " + config.vocabSize());
        }
    }

    /** Writes this model as a complete Hugging Face directory (weights, configs, tokenizer). */
    public void save(Path dir, SaveDtype dtype) throws IOException {
        ModelDirectory.save(dir, model.config(), model.weights().asMap(), dtype, generation, tokenizer::save);
    }

    public LlamaModel model() {
        return model;
    }

    public LlamaConfig config() {
        return model.config();
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public GenerationConfig generation() {
        return generation;
    }

    /** The manager that owns the weights; per-call work should use a sub-manager of it. */
    public NDManager manager() {
        return manager;
    }

    /** Token ids that end a response: the tokenizer's EOS plus the generation config's. */
    public int[] stopTokenIds() {
        java.util.LinkedHashSet<Integer> ids = new java.util.LinkedHashSet<>();
        try {
            ids.add(tokenizer.eosId());
        } catch (IllegalStateException noEos) {
            // A tokenizer without EOS relies on generation_config.json or max_new_tokens.
        }
        if (generation != null && generation.eosTokenId() != null) {
            ids.addAll(generation.eosTokenId());
        }
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Total number of parameters. */
    public long parameterCount() {
        return model.weights().parameterCount();
    }

    /** A view of the weights, for code that needs the raw arrays. */
    public java.util.Map<String, NDArray> weights() {
        return model.weights().asMap();
    }

    @Override
    public void close() {
        tokenizer.close();
        manager.close();
    }
}
