package org.rlhf4j.ppo;

import java.nio.file.Path;
import org.rlhf4j.core.config.ConfigException;
import org.rlhf4j.core.runtime.DeviceSpec;
import org.rlhf4j.core.lora.LoraConfig;
import org.rlhf4j.core.training.StageConfig;
import org.rlhf4j.core.training.StageKeys;
import org.rlhf4j.core.training.TrainConfig;
import org.rlhf4j.datasets.DataConfig;

/**
 * The config of {@code rlhf4j ppo}: the keys every training stage shares (DESIGN.md), the
 * {@code ppo:} section and the {@code rewards:} section.
 *
 * <p>Shared keys as PPO reads them: {@code data.train} is a prompt file; {@code train.max_steps}
 * (or {@code epochs} over the prompts) counts PPO iterations; {@code train.batch_size} is the
 * prompts per rollout batch; {@code train.lr} and its schedule drive the actor (the schedule
 * advances once per iteration); {@code log_every} and {@code save_every} count iterations.
 * {@code train.grad_accum}, {@code max_seq_len} and {@code eval_every} are not used.
 *
 * @param model the starting policy (an SFT model directory; required)
 * @param outputDir the run's output directory (required); a complete checkpoint there is resumed
 * @param seed prompt order and sampling (default 0)
 * @param device {@code auto} (default), {@code cpu}, {@code gpu} or {@code gpu:N}
 * @param dtype compute dtype, float32 (default) or float16
 * @param saveDtype dtype of the model files of {@code final/} and checkpoints (default float32)
 * @param data the prompt file ({@code train}, {@code on_bad_record}, {@code chat_template})
 * @param train the shared optimisation keys
 * @param ppo PPO options (defaults when absent)
 * @param rewards the reward sources (required)
 * @param lora LoRA adapters on the policy instead of full fine-tuning (absent: full fine-tuning); the
 *     reference is then the policy with its adapters off unless {@code ppo.reference_model} names one;
 *     see {@link LoraConfig}
 */
public record PpoConfig(
        String model,
        String outputDir,
        Long seed,
        String device,
        String dtype,
        String saveDtype,
        DataConfig data,
        TrainConfig train,
        PpoOptions ppo,
        RewardsConfig rewards,
        LoraConfig lora) implements StageConfig {

    public PpoConfig {
        if (model == null || model.isBlank()) {
            throw new ConfigException("model: the starting policy directory (an SFT model) is required");
        }
        if (outputDir == null || outputDir.isBlank()) {
            throw new ConfigException("output_dir is required");
        }
        if (data == null) {
            throw new ConfigException("data: the section with data.train (a prompt file) is required");
        }
        if (train == null) {
            throw new ConfigException("train: the section with max_steps (PPO iterations) is required");
        }
        if (rewards == null) {
            throw new ConfigException("rewards: the section with rewards.sources is required");
        }
        seed = seed == null ? 0L : seed;
        device = new DeviceSpec(device).text();
        dtype = StageKeys.computeDtype(dtype);
        saveDtype = StageKeys.saveDtype(saveDtype);
        ppo = ppo == null ? PpoOptions.defaults() : ppo;
        if (ppo.miniBatchSize() != null && ppo.miniBatchSize() > train.batchSize()) {
            throw new ConfigException("ppo.mini_batch_size " + ppo.miniBatchSize() + " is larger than"
                    + " train.batch_size " + train.batchSize() + " (the rollout batch)");
        }
        if (ppo.criticBase() == CriticBase.POLICY && lora == null) {
            throw new ConfigException("ppo.critic_lora with ppo.critic_base: policy needs a lora: section: the critic"
                    + " shares the policy's base weights, which only stay frozen when the policy trains adapters"
                    + " (set lora:, or ppo.critic_base: reward_model, or a full critic without ppo.critic_lora)");
        }
        if (train.batchSize() % ppo.groupSize() != 0) {
            throw new ConfigException("train.batch_size " + train.batchSize() + " (responses per rollout batch) must be"
                    + " a multiple of ppo.group_size " + ppo.groupSize() + " (responses per prompt)");
        }
    }

    /** Without a {@code lora:} section (full fine-tuning). */
    public PpoConfig(String model, String outputDir, Long seed, String device, String dtype,
            String saveDtype, DataConfig data, TrainConfig train, PpoOptions ppo, RewardsConfig rewards) {
        this(model, outputDir, seed, device, dtype, saveDtype, data, train, ppo, rewards, null);
    }

    /** Prompts drawn per rollout batch: {@code train.batch_size / ppo.group_size}. */
    public int promptsPerBatch() {
        return train.batchSize() / ppo.groupSize();
    }

    /**
     * Whether the reference is the policy itself with its LoRA adapters off, as DESIGN.md asks of a
     * policy trained with adapters: a {@code lora:} section, no {@code ppo.reference_model}, and no
     * {@code lora.modules_to_save} (saved modules are trained in place and cannot switch off; the
     * reference is then loaded from {@code model}).
     */
    public boolean referenceIsAdaptersOff() {
        return lora != null && ppo.referenceModel() == null && lora.modulesToSave().isEmpty();
    }

    /** The reference policy's directory: {@code ppo.reference_model}, else {@code model}. */
    public Path referencePath() {
        return Path.of(ppo.referenceModel() != null ? ppo.referenceModel() : model);
    }

    /** Where the critic starts: {@code ppo.critic_model}, else {@code model}. */
    public Path criticPath() {
        return Path.of(ppo.criticModel() != null ? ppo.criticModel() : model);
    }

    /** The update phase's options, {@code ppo.mini_batch_size} defaulting to {@code train.batch_size}. */
    public PpoOptions.Update update() {
        return ppo.update(train.batchSize());
    }

    /** Whether the critic is LoRA adapters with a value head on a shared frozen base ({@code ppo.critic_lora}). */
    public boolean criticIsLora() {
        return ppo.criticLora() != null && ppo.advantage().estimator().needsCritic();
    }

    public double criticLr() {
        return ppo.criticLr() != null ? ppo.criticLr() : train.lr();
    }
}
