package org.rlhf4j.dpo;

import java.nio.file.Path;
import org.rlhf4j.core.config.ConfigException;
import org.rlhf4j.core.runtime.DeviceSpec;
import org.rlhf4j.core.lora.LoraConfig;
import org.rlhf4j.core.training.StageConfig;
import org.rlhf4j.core.training.StageKeys;
import org.rlhf4j.core.training.TrainConfig;
import org.rlhf4j.datasets.DataConfig;

/**
 * The config of {@code rlhf4j dpo}: the keys every training stage shares (DESIGN.md) and the
 * {@code dpo:} section.
 *
 * @param model starting checkpoint, usually an SFT model (required); also the reference unless
 *     {@code dpo.reference_model} names another
 * @param outputDir where {@code config.resolved.yaml}, {@code provenance.json},
 *     {@code metrics.jsonl}, {@code reference_logps.json}, {@code checkpoints/} and {@code final/}
 *     go (required); a complete checkpoint already there is resumed
 * @param seed data order and evaluation split (default 0)
 * @param device {@code auto} (default), {@code cpu}, {@code gpu} or {@code gpu:N}
 * @param dtype compute dtype, {@code float32} (default) or {@code float16}
 * @param saveDtype dtype of the model files in {@code final/} and checkpoints (default float32)
 * @param data training and evaluation preference files
 * @param train the shared optimisation keys
 * @param dpo DPO options (defaults when absent)
 * @param lora LoRA adapters instead of full fine-tuning (absent: full fine-tuning); see {@link LoraConfig}
 */
public record DpoConfig(
        String model,
        String outputDir,
        Long seed,
        String device,
        String dtype,
        String saveDtype,
        DataConfig data,
        TrainConfig train,
        DpoOptions dpo,
        LoraConfig lora) implements StageConfig {

    public DpoConfig {
        StageKeys.requireTrainingSections(model, outputDir, data, train);
        seed = seed == null ? 0L : seed;
        device = new DeviceSpec(device).text();
        dtype = StageKeys.computeDtype(dtype);
        saveDtype = StageKeys.saveDtype(saveDtype);
        if (data.packing()) {
            throw new ConfigException("data.packing does not apply to preference pairs; remove it");
        }
        dpo = dpo == null ? DpoOptions.defaults() : dpo;
        dpo.promptBudget(train.maxSeqLen()); // validates max_prompt_len against max_seq_len
        if (dpo.adaptersOff()) {
            if (lora == null) {
                throw new ConfigException("dpo.reference: adapters_off needs a lora: section (the policy's adapters"
                        + " are what is switched off); use precomputed or frozen for full fine-tuning");
            }
            if (dpo.referenceModel() != null) {
                throw new ConfigException("dpo.reference_model does not apply with dpo.reference: adapters_off"
                        + " (the reference is the policy's base); remove one of them");
            }
            if (!lora.modulesToSave().isEmpty()) {
                throw new ConfigException("dpo.reference: adapters_off cannot be combined with lora.modules_to_save "
                        + lora.modulesToSave() + ": those modules are trained in place and would not switch off");
            }
        }
    }

    /** Without a {@code lora:} section (full fine-tuning). */
    public DpoConfig(String model, String outputDir, Long seed, String device, String dtype,
            String saveDtype, DataConfig data, TrainConfig train, DpoOptions dpo) {
        this(model, outputDir, seed, device, dtype, saveDtype, data, train, dpo, null);
    }

    /** The reference model's directory: {@code dpo.reference_model} or the starting checkpoint. */
    public Path referencePath() {
        return Path.of(dpo.referenceModel() != null ? dpo.referenceModel() : model);
    }
}
