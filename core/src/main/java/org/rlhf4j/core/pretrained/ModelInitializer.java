package org.rlhf4j.core.pretrained;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.rlhf4j.core.config.ConfigException;
import org.rlhf4j.core.config.NearestName;
import org.rlhf4j.core.io.GenerationConfig;
import org.rlhf4j.core.io.ModelDirectory;
import org.rlhf4j.core.io.SaveDtype;
import org.rlhf4j.core.model.LlamaConfig;
import org.rlhf4j.core.model.ModelWeights;
import org.rlhf4j.core.tokenizer.Tokenizer;
import org.rlhf4j.core.tokenizer.Tokenizers;

/** Creates a new random model directory from an {@link InitConfig} ({@code rlhf4j init}). */
public final class ModelInitializer {

    private ModelInitializer() {}

    /** Writes the model to {@code out} and returns its resolved config and parameter count. */
    public static Result create(InitConfig init, Path out, String source) throws IOException {
        try (Tokenizer tokenizer = openTokenizer(init.tokenizer());
                NDManager manager = NDManager.newBaseManager(ai.djl.Device.cpu())) {
            LlamaConfig config = modelConfig(init, tokenizer, source);
            ModelWeights weights = ModelWeights.random(config, manager, init.seed());
            SaveDtype dtype = SaveDtype.fromName(init.saveDtype());
            ModelDirectory.save(out, config, weights.asMap(), dtype, GenerationConfig.fromModelConfig(config),
                    tokenizer::save);
            return new Result(config, weights.parameterCount());
        }
    }

    /** What was written. */
    public record Result(LlamaConfig config, long parameterCount) {}

    private static Tokenizer openTokenizer(String spec) throws IOException {
        return spec.equals("byte") ? Tokenizers.byName("byte") : Tokenizers.load(Path.of(spec));
    }

    /** The model section with the tokenizer's vocabulary size and special ids filled in. */
    static LlamaConfig modelConfig(InitConfig init, Tokenizer tokenizer, String source) {
        ObjectNode model = ((ObjectNode) init.model()).deepCopy();
        checkKeys(model, source);
        if (!model.has("vocab_size")) {
            model.put("vocab_size", tokenizer.vocabSize());
        } else if (model.get("vocab_size").asInt() < tokenizer.vocabSize()) {
            throw new ConfigException(source + ": model.vocab_size " + model.get("vocab_size").asInt()
                    + " is smaller than the tokenizer's " + tokenizer.vocabSize() + " ids");
        }
        try {
            if (!model.has("eos_token_id")) {
                model.put("eos_token_id", tokenizer.eosId());
            }
        } catch (IllegalStateException noEos) {
            // leave it unset
        }
        if (!model.has("pad_token_id")) {
            tokenizer.padId().ifPresent(id -> model.put("pad_token_id", id));
        }
        if (!model.has("bos_token_id")) {
            tokenizer.bosId().ifPresent(id -> model.put("bos_token_id", id));
        }
        try {
            return LlamaConfig.parse(model.toString());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(source + ": model: " + e.getMessage().replace("config.json: ", ""));
        }
    }

    /** Unknown keys under {@code model:} are errors here, unlike in a transformers config.json. */
    private static void checkKeys(ObjectNode model, String source) {
        List<String> known = new ArrayList<>();
        for (RecordComponent c : LlamaConfig.class.getRecordComponents()) {
            JsonProperty p = c.getAccessor().getAnnotation(JsonProperty.class);
            known.add(p != null ? p.value() : c.getName());
        }
        known.add("dtype");
        for (Iterator<String> it = model.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!known.contains(key)) {
                String nearest = NearestName.of(key, known);
                throw new ConfigException(source + ": unknown key 'model." + key + "'"
                        + (nearest != null ? "; did you mean 'model." + nearest + "'?" : "")
                        + " Keys under 'model' are Hugging Face config.json names: " + String.join(", ", known));
            }
        }
    }
}
