package org.rlhf4j.reward;

import org.rlhf4j.core.runtime.DeviceSpec;
import org.rlhf4j.core.lora.LoraConfig;
import org.rlhf4j.core.training.StageConfig;
import org.rlhf4j.core.training.StageKeys;
import org.rlhf4j.core.training.TrainConfig;
import org.rlhf4j.datasets.DataConfig;

/**
 * The config of {@code rlhf4j rm}: the keys every training stage shares (DESIGN.md) and the
 * {@code rm:} section.
 *
 * @param model starting checkpoint (required): a causal LM (its LM head is dropped and a scalar
 *     head initialised) or a sequence classifier (training continues from its head)
 * @param outputDir where {@code config.resolved.yaml}, {@code provenance.json},
 *     {@code metrics.jsonl}, {@code checkpoints/} and {@code final/} go (required); a complete
 *     checkpoint already there is resumed
 * @param seed data order, evaluation split and the new head's initial values (default 0)
 * @param device {@code auto} (default), {@code cpu}, {@code gpu} or {@code gpu:N}
 * @param dtype compute dtype, {@code float32} (default) or {@code float16}
 * @param saveDtype dtype of the model files in {@code final/} and checkpoints (default float32)
 * @param data preference files ({@code packing} does not apply to pairs)
 * @param train the shared optimisation keys; {@code batch_size} counts pairs (a forward pass holds
 *     2 x batch_size sequences)
 * @param rm reward-model options (defaults when absent)
 * @param lora LoRA adapters instead of full fine-tuning (absent: full fine-tuning); see {@link LoraConfig}
 */
public record RewardConfig(
        String model,
        String outputDir,
        Long seed,
        String device,
        String dtype,
        String saveDtype,
        DataConfig data,
        TrainConfig train,
        RmOptions rm,
        LoraConfig lora) implements StageConfig {

    public RewardConfig {
        StageKeys.requireTrainingSections(model, outputDir, data, train);
        seed = seed == null ? 0L : seed;
        device = new DeviceSpec(device).text();
        dtype = StageKeys.computeDtype(dtype);
        saveDtype = StageKeys.saveDtype(saveDtype);
        rm = rm == null ? RmOptions.defaults() : rm;
    }

    /** Without a {@code lora:} section (full fine-tuning). */
    public RewardConfig(String model, String outputDir, Long seed, String device, String dtype,
            String saveDtype, DataConfig data, TrainConfig train, RmOptions rm) {
        this(model, outputDir, seed, device, dtype, saveDtype, data, train, rm, null);
    }
}
