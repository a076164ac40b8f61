package org.rlhf4j.sft;

import org.rlhf4j.core.runtime.DeviceSpec;
import org.rlhf4j.core.lora.LoraConfig;
import org.rlhf4j.core.training.StageConfig;
import org.rlhf4j.core.training.StageKeys;
import org.rlhf4j.core.training.TrainConfig;
import org.rlhf4j.datasets.DataConfig;

/**
 * The config of {@code rlhf4j sft} and {@code rlhf4j pretrain}: the keys every training stage
 * shares (DESIGN.md) and the {@code sft:} section.
 *
 * @param model starting checkpoint, a Hugging Face model directory (required)
 * @param outputDir where {@code config.resolved.yaml}, {@code provenance.json},
 *     {@code metrics.jsonl}, {@code checkpoints/} and {@code final/} go (required); a complete
 *     checkpoint already there is resumed
 * @param seed data order and evaluation split (default 0)
 * @param device {@code auto} (default), {@code cpu}, {@code gpu} or {@code gpu:N}
 * @param dtype compute dtype, {@code float32} (default) or {@code float16}
 * @param saveDtype dtype of the model files in {@code final/} and checkpoints (default float32)
 * @param data training and evaluation files
 * @param train the shared optimisation keys
 * @param sft SFT options (defaults when absent)
 * @param lora LoRA adapters instead of full fine-tuning (absent: full fine-tuning); see {@link LoraConfig}
 */
public record SftConfig(
        String model,
        String outputDir,
        Long seed,
        String device,
        String dtype,
        String saveDtype,
        DataConfig data,
        TrainConfig train,
        SftOptions sft,
        LoraConfig lora) implements StageConfig {

    public SftConfig {
        StageKeys.requireTrainingSections(model, outputDir, data, train);
        seed = seed == null ? 0L : seed;
        device = new DeviceSpec(device).text();
        dtype = StageKeys.computeDtype(dtype);
        saveDtype = StageKeys.saveDtype(saveDtype);
        sft = sft == null ? SftOptions.defaults() : sft;
    }

    /** Without a {@code lora:} section (full fine-tuning). */
    public SftConfig(String model, String outputDir, Long seed, String device, String dtype,
            String saveDtype, DataConfig data, TrainConfig train, SftOptions sft) {
        this(model, outputDir, seed, device, dtype, saveDtype, data, train, sft, null);
    }
}
