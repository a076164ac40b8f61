package org.rlhf4j.ppo;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.rlhf4j.core.config.ConfigException;
import org.rlhf4j.core.config.UserException;
import org.rlhf4j.core.lora.LoraAdapters;
import org.rlhf4j.core.lora.LoraConfig;
import org.rlhf4j.core.lora.PeftAdapterFiles;
import org.rlhf4j.core.pretrained.PretrainedModel;
import org.rlhf4j.core.pretrained.ScalarHead;

/**
 * The critic of {@code ppo.critic_lora}: LoRA adapters and a trainable value head ({@code score},
 * saved as PEFT's {@code modules_to_save} of a {@code SEQ_CLS} adapter) on the frozen base arrays of
 * the policy or of the reward model, shared, not copied. The two adapter sets are separate objects
 * that each model applies alone, so the policy's forward never sees the critic's adapters and the
 * critic's never sees the policy's, while the base itself records no gradient and is never written.
 */
final class LoraCritic {

    /** Mixed into the run's seed so that the critic's A matrices and dropout masks differ from the policy's. */
    private static final long SEED_SALT = 0x6372_6974_6963L; // "critic"

    private LoraCritic() {}

    /**
     * The critic on {@code config}'s {@code ppo.critic_base}, its adapters from {@code checkpoint} (a
     * checkpoint's critic directory) when resuming, else from {@code ppo.critic_lora.adapter} or new; the
     * head starts at zero on the policy's base and as the reward model's score head on its base.
     */
    static PretrainedModel open(PpoConfig config, PretrainedModel policy, RewardSources rewards, Path checkpoint)
            throws IOException {
        PretrainedModel source;
        String basePath;
        if (config.ppo().criticBase() == CriticBase.POLICY) {
            source = policy;
            basePath = config.modelPath().toAbsolutePath().normalize().toString();
        } else {
            RewardModelSource rm = soleRewardModel(rewards);
            source = rm.model();
            Path rmPath = Path.of(config.rewards().sources().get(rm.name()).path());
            basePath = rmPath.toAbsolutePath().normalize().toString();
            if (source.adapters() != null) {
                throw new UserException("ppo.critic_base: reward_model: " + rmPath + " is a LoRA adapter; a critic"
                        + " needs a plain base to share: `rlhf4j export --merge` it and name the merged directory");
            }
            if (!RewardModelSource.sameTokenizer(policy.tokenizer(), source.tokenizer())) {
                throw new UserException("ppo.critic_base: reward_model: " + rmPath + " has another tokenizer than"
                        + " the policy, and the critic scores the policy's token ids");
            }
        }
        PretrainedModel critic = ScalarHead.sharingTrunk(source);
        try {
            LoraConfig lora = config.ppo().criticLora().savingAlso("score"); // the value head, trained and saved
            LoraAdapters adapters;
            if (checkpoint != null) {
                adapters = PeftAdapterFiles.load(checkpoint, critic.baseWeights(), critic.manager());
            } else if (lora.adapterPath() != null) {
                adapters = PeftAdapterFiles.load(lora.adapterPath(), critic.baseWeights(), critic.manager());
            } else {
                adapters = LoraAdapters.create(lora, critic.baseWeights(), critic.manager(), seed(config));
            }
            critic.attachAdapters(adapters, basePath);
            return critic;
        } catch (IOException | RuntimeException e) {
            critic.close();
            throw e;
        }
    }

    /** The seed of the critic's adapters (initial A, dropout masks). */
    static long seed(PpoConfig config) {
        return config.seed() ^ SEED_SALT;
    }

    private static RewardModelSource soleRewardModel(RewardSources rewards) {
        List<RewardModelSource> models = rewards.sources().values().stream()
                .filter(RewardModelSource.class::isInstance).map(RewardModelSource.class::cast).toList();
        if (models.size() != 1) {
            throw new ConfigException("ppo.critic_base: reward_model needs exactly one reward model in rewards.sources,"
                    + " found " + models.size() + " (" + models.stream().map(RewardModelSource::name).toList() + ")");
        }
        return models.get(0);
    }
}
