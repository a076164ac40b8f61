package org.rlhf4j.reward;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.OptionalInt;
import java.util.Random;
import org.rlhf4j.core.model.LlamaConfig;
import org.rlhf4j.core.io.ModelDirectory;
import org.rlhf4j.core.io.SaveDtype;
import org.rlhf4j.core.pretrained.PretrainedModel;
import org.rlhf4j.core.pretrained.ScalarHead;
import org.rlhf4j.datasets.RewardConditions;

/**
 * Reward models as Hugging Face directories: loading a starting checkpoint as a sequence
 * classifier with one scalar output, and exporting one with its conditions table.
 *
 * <p>A causal LM becomes {@code LlamaForSequenceClassification} (or the Qwen2/Mistral class of its
 * {@code model_type}) with {@code num_labels: 1}: its LM head is dropped, the trunk kept, and
 * {@code score.weight} [1, D] drawn from normal(0, {@code rm.score_init_std}), 0.02 by default.
 * That is what transformers does when a causal LM is loaded with
 * {@code AutoModelForSequenceClassification} (its {@code initializer_range}), so a TRL user gets
 * the same start; at the hidden sizes of this toolkit's models it gives initial scores of a few
 * tenths, small next to the margins, so no pair starts strongly ranked either way.
 */
public final class RewardModels {

    private RewardModels() {}

    /**
     * Loads {@code dir} as a reward model: a sequence classifier as it is (it must have one label),
     * a causal LM through {@link ScalarHead#swap} with a head drawn by {@code java.util.Random(seed)},
     * the same on every machine.
     */
    public static PretrainedModel load(Path dir, Device device, DataType dtype, double scoreInitStd, long seed)
            throws IOException {
        return ScalarHead.load(dir, device, dtype, d -> normalHead(d, scoreInitStd, seed));
    }

    /**
     * Writes {@code model} as a complete Hugging Face directory (with LoRA: a PEFT {@code SEQ_CLS}
     * adapter) with {@link RewardConditions#FILE_NAME}, replacing {@code dir} only once everything is
     * written. A full model's config always carries a {@code pad_token_id} (the tokenizer's pad
     * token, else the first end-of-sequence id, as TRL sets it): transformers'
     * {@code LlamaForSequenceClassification} reads the score at the last non-pad token and refuses a
     * batch of more than one sequence without it.
     */
    public static void export(PretrainedModel model, Path dir, SaveDtype dtype, RewardConditions conditions)
            throws IOException {
        if (model.adapters() != null) {
            model.save(dir, dtype, conditions::save);
            return;
        }
        ModelDirectory.save(dir, withPadToken(model), model.weights(), dtype, model.generation(), staged -> {
            model.tokenizer().save(staged);
            conditions.save(staged);
        });
    }

    private static LlamaConfig withPadToken(PretrainedModel model) {
        LlamaConfig config = model.config();
        if (config.padTokenId() != null) {
            return config;
        }
        OptionalInt pad = model.tokenizer().padId();
        if (pad.isPresent()) {
            return config.withPadTokenId(pad.getAsInt());
        }
        return config.eosTokenId().isEmpty() ? config : config.withPadTokenId(config.eosTokenId().get(0));
    }

    /** D values from normal(0, std), drawn by {@code java.util.Random(seed)}. */
    private static float[] normalHead(int d, double std, long seed) {
        float[] values = new float[d];
        Random random = new Random(seed);
        for (int i = 0; i < d; i++) {
            values[i] = (float) (std * random.nextGaussian());
        }
        return values;
    }
}
