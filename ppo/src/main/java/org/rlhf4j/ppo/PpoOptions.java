package org.rlhf4j.ppo;

import static org.rlhf4j.core.config.ConfigChecks.atLeast;
import static org.rlhf4j.core.config.ConfigChecks.nonNegative;
import static org.rlhf4j.core.config.ConfigChecks.positive;
import static org.rlhf4j.core.config.ConfigChecks.unit;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.rlhf4j.core.config.ConfigException;
import org.rlhf4j.core.lora.LoraConfig;
import org.rlhf4j.core.generate.SamplingParams;

/**
 * The {@code ppo:} section. Every key has a default (TRL's {@code PPOConfig} where TRL has the
 * knob), so the section may be left out.
 *
 * <p>The section is flat in the YAML (and so in this record, which Jackson binds); the trainer reads
 * it by concern through {@link #generation}, {@link #kl}, {@link #advantage}, {@link #update},
 * {@link #shaping} and {@link #samples}.
 *
 * @param referenceModel the frozen reference policy (default: the starting {@code model})
 * @param criticModel where the critic starts: a reward model directory (its score head becomes the
 *     value head) or a causal LM (its LM head is replaced by a zero value head); default: {@code model}
 * @param criticLr the critic's peak learning rate (default: {@code train.lr})
 * @param maxPromptLen prompt tokens kept, the end of longer prompts (default 256)
 * @param maxNewTokens longest response (default 64)
 * @param temperature sampling temperature, also applied to every log-prob (default 1.0)
 * @param topK sample among the k likeliest tokens, 0 for all (default 0)
 * @param topP nucleus sampling (default 1.0)
 * @param ppoEpochs passes over each rollout batch (default 4)
 * @param miniBatchSize rows per optimizer step (default: {@code train.batch_size}, one step per epoch)
 * @param klCoef the KL penalty coefficient, or its start when adaptive (default 0.05)
 * @param klEstimator {@code k1} (default) or {@code k3} ({@link KlEstimator})
 * @param klTarget adaptive controller's target per-sequence KL; absent keeps {@code kl_coef} fixed
 * @param klHorizon adaptive controller's horizon in sequences (default 10000)
 * @param gamma GAE discount (default 1.0)
 * @param lam GAE lambda (default 0.95)
 * @param cliprange policy ratio clipping (default 0.2)
 * @param cliprangeValue value clipping around the rollout values (default 0.2)
 * @param vfCoef weight of the value loss (default 0.1)
 * @param entropyCoef weight of the entropy bonus (default 0: none)
 * @param earlyStopKl stop a batch's remaining epochs once an epoch's mean approximate KL exceeds this (default: never)
 * @param rewardNorm {@code none} (default) or {@code running}: scores normalised by running mean and std
 *     ({@link RewardNorm})
 * @param rewardClip clip normalised scores to [-c, c] (default: no clipping)
 * @param missingEosPenalty subtracted from the score of a response that hit {@code max_new_tokens} (default: none)
 * @param sampleEvery write samples to {@code samples.jsonl} every this many iterations, 0 for never (default 10)
 * @param sampleCount rows written each time (default 4)
 * @param advantageEstimator {@code ppo.advantage}: {@code gae} (default, with a critic), {@code grpo},
 *     {@code rloo} or {@code reinforce_baseline} (critic-free, {@link GroupAdvantages}; no critic is loaded)
 * @param groupSize responses sampled per prompt, consecutive rows of a rollout batch; {@code train.batch_size}
 *     counts responses and must be a multiple (default 1 with {@code gae}, else 4)
 * @param scaleRewards GRPO: divide by the group's std (default true; false is Dr.GRPO)
 * @param lossAgg {@code token_mean} (default), {@code seq_mean_token_mean} or {@code seq_mean_token_sum_norm}
 *     ({@link LossAggregation})
 * @param klIn {@code reward} (default: {@code -kl_coef * KL_t} in the rewards) or {@code loss}
 *     ({@code kl_coef * KL_t} of the trained policy in the loss, estimator {@code kl_estimator}) ({@link KlPlacement})
 * @param clipLow the ratio's lower clip {@code 1 - clip_low} (default {@code cliprange})
 * @param clipHigh the ratio's upper clip {@code 1 + clip_high} (default {@code cliprange}; DAPO's clip-higher: 0.28)
 * @param dynamicSampling DAPO's dynamic sampling: groups whose scores all tie are dropped and the batch refilled
 *     from further prompts (default false; group estimators only)
 * @param dynamicSamplingRounds extra generation rounds at most per iteration to refill the batch; groups
 *     still missing after them are filled with tied groups, which the loss leaves out (default 3)
 * @param overlongBuffer DAPO's soft overlong penalty over the last this many tokens before {@code max_new_tokens}
 *     (default: none)
 * @param overlongPenalty the penalty at {@code max_new_tokens}, growing linearly over the buffer (default 1.0)
 * @param criticLora the critic as LoRA adapters with their own value head on {@code critic_base}'s frozen weights
 *     instead of a full model ({@link LoraConfig}; absent: a full critic from {@code critic_model})
 * @param criticBase {@code policy} (default) or {@code reward_model}: whose base the LoRA critic shares ({@link CriticBase})
 * @param ptxCoef InstructGPT's PPO-ptx: weight of the LM loss on a batch of pretraining text added to every minibatch's
 *     policy loss (default 0: off; {@link PtxBatches})
 * @param ptxData the pretraining text of {@code ptx_coef}, read as {@code rlhf4j pretrain} reads its {@code data.train}
 *     (required when {@code ptx_coef > 0})
 */
public record PpoOptions(
        String referenceModel,
        String criticModel,
        Double criticLr,
        Integer maxPromptLen,
        Integer maxNewTokens,
        Double temperature,
        Integer topK,
        Double topP,
        Integer ppoEpochs,
        Integer miniBatchSize,
        Double klCoef,
        KlEstimator klEstimator,
        Double klTarget,
        Integer klHorizon,
        Double gamma,
        Double lam,
        Double cliprange,
        Double cliprangeValue,
        Double vfCoef,
        Double entropyCoef,
        Double earlyStopKl,
        RewardNorm rewardNorm,
        Double rewardClip,
        Double missingEosPenalty,
        Integer sampleEvery,
        Integer sampleCount,
        @JsonProperty("advantage") AdvantageEstimator advantageEstimator,
        Integer groupSize,
        Boolean scaleRewards,
        LossAggregation lossAgg,
        KlPlacement klIn,
        Double clipLow,
        Double clipHigh,
        Boolean dynamicSampling,
        Integer overlongBuffer,
        Double overlongPenalty,
        Integer dynamicSamplingRounds,
        LoraConfig criticLora,
        CriticBase criticBase,
        Double ptxCoef,
        String ptxData) {

    public PpoOptions {
        maxPromptLen = atLeast("ppo.max_prompt_len", maxPromptLen, 256, 1);
        maxNewTokens = atLeast("ppo.max_new_tokens", maxNewTokens, 64, 1);
        temperature = positive("ppo.temperature", temperature, 1.0);
        topK = atLeast("ppo.top_k", topK, 0, 0);
        topP = topP == null ? 1.0 : topP;
        if (!(topP > 0 && topP <= 1)) {
            throw new ConfigException("ppo.top_p must be in (0, 1], got " + topP);
        }
        ppoEpochs = atLeast("ppo.ppo_epochs", ppoEpochs, 4, 1);
        atLeast("ppo.mini_batch_size", miniBatchSize, 1, 1);
        klCoef = nonNegative("ppo.kl_coef", klCoef, 0.05);
        klEstimator = klEstimator == null ? KlEstimator.K1 : klEstimator;
        if (klTarget != null && !(klTarget > 0)) {
            throw new ConfigException("ppo.kl_target must be > 0 (leave it out for a fixed kl_coef), got " + klTarget);
        }
        klHorizon = atLeast("ppo.kl_horizon", klHorizon, 10000, 1);
        gamma = unit("ppo.gamma", gamma, 1.0);
        lam = unit("ppo.lam", lam, 0.95);
        cliprange = positive("ppo.cliprange", cliprange, 0.2);
        cliprangeValue = positive("ppo.cliprange_value", cliprangeValue, 0.2);
        vfCoef = nonNegative("ppo.vf_coef", vfCoef, 0.1);
        entropyCoef = nonNegative("ppo.entropy_coef", entropyCoef, 0.0);
        if (earlyStopKl != null && !(earlyStopKl > 0)) {
            throw new ConfigException("ppo.early_stop_kl must be > 0, got " + earlyStopKl);
        }
        rewardNorm = rewardNorm == null ? RewardNorm.NONE : rewardNorm;
        if (rewardClip != null && !(rewardClip > 0)) {
            throw new ConfigException("ppo.reward_clip must be > 0, got " + rewardClip);
        }
        if (missingEosPenalty != null && !Double.isFinite(missingEosPenalty)) {
            throw new ConfigException("ppo.missing_eos_penalty must be finite, got " + missingEosPenalty);
        }
        sampleEvery = atLeast("ppo.sample_every", sampleEvery, 10, 0);
        sampleCount = atLeast("ppo.sample_count", sampleCount, 4, 1);
        advantageEstimator = advantageEstimator == null ? AdvantageEstimator.GAE : advantageEstimator;
        boolean grouped = !advantageEstimator.needsCritic();
        groupSize = atLeast("ppo.group_size", groupSize, grouped ? 4 : 1, 1);
        if (grouped && groupSize < 2) {
            throw new ConfigException("ppo.group_size must be >= 2 with ppo.advantage: " + advantageEstimator.configName()
                    + (advantageEstimator == AdvantageEstimator.RLOO
                            ? " (the leave-one-out baseline needs another response to the same prompt)"
                            : " (a group of one is its own baseline: every advantage would be 0)") + ", got " + groupSize);
        }
        scaleRewards = scaleRewards == null || scaleRewards;
        lossAgg = lossAgg == null ? LossAggregation.TOKEN_MEAN : lossAgg;
        klIn = klIn == null ? KlPlacement.REWARD : klIn;
        clipLow = positive("ppo.clip_low", clipLow, cliprange);
        if (clipLow >= 1) {
            throw new ConfigException("ppo.clip_low must be < 1 (the ratio's lower bound is 1 - clip_low), got " + clipLow);
        }
        clipHigh = positive("ppo.clip_high", clipHigh, cliprange);
        dynamicSampling = dynamicSampling != null && dynamicSampling;
        if (dynamicSampling && !grouped) {
            throw new ConfigException("ppo.dynamic_sampling needs groups: set ppo.advantage to grpo, rloo or"
                    + " reinforce_baseline");
        }
        if (overlongBuffer != null && (overlongBuffer < 1 || overlongBuffer > maxNewTokens)) {
            throw new ConfigException("ppo.overlong_buffer must be in [1, ppo.max_new_tokens = " + maxNewTokens
                    + "], got " + overlongBuffer);
        }
        overlongPenalty = nonNegative("ppo.overlong_penalty", overlongPenalty, 1.0);
        dynamicSamplingRounds = atLeast("ppo.dynamic_sampling_rounds", dynamicSamplingRounds, 3, 0);
        if (criticBase != null && criticLora == null) {
            throw new ConfigException("ppo.critic_base is set but ppo.critic_lora is not: critic_base says whose frozen"
                    + " weights a LoRA critic shares; add ppo.critic_lora: {r: 8} or remove ppo.critic_base");
        }
        if (criticLora != null && criticModel != null) {
            throw new ConfigException("ppo.critic_model and ppo.critic_lora are both set: a LoRA critic sits on"
                    + " ppo.critic_base (policy or reward_model), not on a model of its own; remove one of them");
        }
        if (criticLora != null && !advantageEstimator.needsCritic()) {
            throw new ConfigException("ppo.critic_lora is set but ppo.advantage " + advantageEstimator.configName()
                    + " uses no critic");
        }
        criticBase = criticLora == null ? null : criticBase == null ? CriticBase.POLICY : criticBase;
        ptxCoef = nonNegative("ppo.ptx_coef", ptxCoef, 0.0);
        if (ptxCoef > 0 && (ptxData == null || ptxData.isBlank())) {
            throw new ConfigException("ppo.ptx_coef " + ptxCoef + " needs ppo.ptx_data: a pretraining text file"
                    + " ({\"text\": ...} JSONL or .txt, as rlhf4j pretrain reads data.train)");
        }
    }

    /** The options without the LoRA critic's keys. */
    public PpoOptions(String referenceModel, String criticModel, Double criticLr, Integer maxPromptLen,
            Integer maxNewTokens, Double temperature, Integer topK, Double topP, Integer ppoEpochs,
            Integer miniBatchSize, Double klCoef, KlEstimator klEstimator, Double klTarget, Integer klHorizon,
            Double gamma, Double lam, Double cliprange, Double cliprangeValue, Double vfCoef, Double entropyCoef,
            Double earlyStopKl, RewardNorm rewardNorm, Double rewardClip, Double missingEosPenalty,
            Integer sampleEvery, Integer sampleCount, AdvantageEstimator advantageEstimator, Integer groupSize,
            Boolean scaleRewards, LossAggregation lossAgg, KlPlacement klIn, Double clipLow, Double clipHigh,
            Boolean dynamicSampling, Integer overlongBuffer, Double overlongPenalty, Integer dynamicSamplingRounds) {
        this(referenceModel, criticModel, criticLr, maxPromptLen, maxNewTokens, temperature, topK, topP, ppoEpochs,
                miniBatchSize, klCoef, klEstimator, klTarget, klHorizon, gamma, lam, cliprange, cliprangeValue, vfCoef,
                entropyCoef, earlyStopKl, rewardNorm, rewardClip, missingEosPenalty, sampleEvery, sampleCount,
                advantageEstimator, groupSize, scaleRewards, lossAgg, klIn, clipLow, clipHigh, dynamicSampling,
                overlongBuffer, overlongPenalty, dynamicSamplingRounds, null, null, null, null);
    }

    /** These options with the critic as LoRA adapters {@code lora} on {@code base}'s weights. */
    public PpoOptions withLoraCritic(LoraConfig lora, CriticBase base) {
        return new PpoOptions(referenceModel, criticModel, criticLr, maxPromptLen, maxNewTokens, temperature, topK, topP,
                ppoEpochs, miniBatchSize, klCoef, klEstimator, klTarget, klHorizon, gamma, lam, cliprange,
                cliprangeValue, vfCoef, entropyCoef, earlyStopKl, rewardNorm, rewardClip, missingEosPenalty,
                sampleEvery, sampleCount, advantageEstimator, groupSize, scaleRewards, lossAgg, klIn, clipLow, clipHigh,
                dynamicSampling, overlongBuffer, overlongPenalty, dynamicSamplingRounds, lora, base, ptxCoef, ptxData);
    }

    /** The options without the keys added for critic-free advantages (every one of them at its default). */
    public PpoOptions(String referenceModel, String criticModel, Double criticLr, Integer maxPromptLen,
            Integer maxNewTokens, Double temperature, Integer topK, Double topP, Integer ppoEpochs,
            Integer miniBatchSize, Double klCoef, KlEstimator klEstimator, Double klTarget, Integer klHorizon,
            Double gamma, Double lam, Double cliprange, Double cliprangeValue, Double vfCoef, Double entropyCoef,
            Double earlyStopKl, RewardNorm rewardNorm, Double rewardClip, Double missingEosPenalty,
            Integer sampleEvery, Integer sampleCount) {
        this(referenceModel, criticModel, criticLr, maxPromptLen, maxNewTokens, temperature, topK, topP, ppoEpochs,
                miniBatchSize, klCoef, klEstimator, klTarget, klHorizon, gamma, lam, cliprange, cliprangeValue, vfCoef,
                entropyCoef, earlyStopKl, rewardNorm, rewardClip, missingEosPenalty, sampleEvery, sampleCount, null,
                null, null, null, null, null, null, null, null, null, null, null, null, null, null);
    }

    /** Every default. */
    public static PpoOptions defaults() {
        return new PpoOptions(null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, null, null, null, null, null, null, null, null);
    }

    /**
     * Rollout sampling: {@code max_prompt_len}, {@code max_new_tokens}, {@code temperature},
     * {@code top_k}, {@code top_p}.
     */
    public record Generation(int maxPromptLen, int maxNewTokens, double temperature, int topK, double topP) {

        /** The sampling parameters of a rollout seeded by {@code seed}. */
        public SamplingParams sampling(long seed) {
            return new SamplingParams(maxNewTokens, temperature, topK, topP, seed);
        }
    }

    /**
     * The KL penalty: {@code kl_coef}, {@code kl_estimator}, {@code kl_target}, {@code kl_horizon},
     * {@code kl_in}.
     */
    public record Kl(double coef, KlEstimator estimator, Double target, int horizon, KlPlacement in) {

        /** The KL coefficient of the per-token rewards when the controller is at {@code beta}: 0 when the KL is in the loss. */
        public double rewardCoef(double beta) {
            return switch (in) {
                case REWARD -> beta;
                case LOSS -> 0;
            };
        }


        /** The controller the keys describe, at its starting value. */
        public KlController controller() {
            return target == null ? KlController.fixed(coef) : KlController.adaptive(coef, target, horizon);
        }
    }

    /**
     * The advantages: {@code advantage}, GAE's {@code gamma} and {@code lam}, {@code group_size},
     * {@code scale_rewards}, {@code dynamic_sampling}, {@code dynamic_sampling_rounds}.
     */
    public record Advantage(AdvantageEstimator estimator, double gamma, double lam, int groupSize,
            boolean scaleRewards, boolean dynamicSampling, int dynamicSamplingRounds) {

        /**
         * The advantages and returns, (B, A) each: GAE over {@code values} whitened over the batch's
         * valid tokens, or the group advantages of the rows' summed rewards ({@link GroupAdvantages};
         * their returns are the advantages again, which no critic reads).
         *
         * @param rewards (B, A) per-token rewards
         * @param values (B, A) the critic's values at rollout (read by GAE only)
         * @param mask (B, A) 1 at response tokens
         */
        public Gae.Advantages estimate(double[][] rewards, double[][] values, double[][] mask) {
            return switch (estimator) {
                case GAE -> {
                    Gae.Advantages gae = Gae.compute(rewards, values, mask, gamma, lam);
                    yield new Gae.Advantages(Whitening.masked(gae.advantages(), mask, true), gae.returns());
                }
                case GRPO, RLOO, REINFORCE_BASELINE -> {
                    double[][] group = GroupAdvantages.of(estimator, GroupAdvantages.returns(rewards, mask), mask,
                            groupSize, scaleRewards).advantages(); // (B, A)
                    yield new Gae.Advantages(group, group);
                }
            };
        }
    }

    /**
     * The update phase: {@code ppo_epochs}, {@code mini_batch_size} (resolved), {@code cliprange},
     * {@code cliprange_value}, {@code vf_coef}, {@code entropy_coef}, {@code early_stop_kl} (null: never),
     * {@code clip_low}, {@code clip_high}, {@code loss_agg} with its constant {@code max_new_tokens},
     * and the KL of the loss: {@code kl_estimator}, or null when {@code kl_in: reward}.
     */
    public record Update(int epochs, int miniBatchSize, double cliprange, double cliprangeValue, double vfCoef,
            double entropyCoef, Double earlyStopKl, double clipLow, double clipHigh, LossAggregation lossAgg,
            int maxNewTokens, KlEstimator lossKl) {}

    /**
     * How a response's score becomes its reward ({@link TokenRewards}): {@code missing_eos_penalty}
     * (null: none), {@code reward_norm}, {@code reward_clip} (null: none), {@code overlong_buffer}
     * (null: none) with {@code overlong_penalty} before {@code max_new_tokens}.
     */
    public record Shaping(Double missingEosPenalty, RewardNorm norm, Double clip, Integer overlongBuffer,
            double overlongPenalty, int maxNewTokens) {}

    /**
     * PPO-ptx: {@code ptx_coef} (0: off) and {@code ptx_data}.
     */
    public record Ptx(double coef, String data) {

        /** Whether the pretraining loss is mixed in at all. */
        public boolean enabled() {
            return coef > 0;
        }
    }

    /** The samples file: {@code sample_every} (0: never), {@code sample_count}. */
    public record Samples(int every, int count) {

        /** Whether iteration {@code done} of {@code total} writes samples: first, every {@code every}th, last. */
        public boolean dueAt(int done, int total) {
            return every > 0 && (done == 1 || done % every == 0 || done == total);
        }
    }

    public Generation generation() {
        return new Generation(maxPromptLen, maxNewTokens, temperature, topK, topP);
    }

    public Kl kl() {
        return new Kl(klCoef, klEstimator, klTarget, klHorizon, klIn);
    }

    public Advantage advantage() {
        return new Advantage(advantageEstimator, gamma, lam, groupSize, scaleRewards, dynamicSampling,
                dynamicSamplingRounds);
    }

    /** The update options, {@code mini_batch_size} defaulting to {@code rolloutBatch} (one step per epoch). */
    public Update update(int rolloutBatch) {
        return new Update(ppoEpochs, miniBatchSize != null ? miniBatchSize : rolloutBatch, cliprange, cliprangeValue,
                vfCoef, entropyCoef, earlyStopKl, clipLow, clipHigh, lossAgg, maxNewTokens,
                klIn == KlPlacement.LOSS ? klEstimator : null);
    }

    public Shaping shaping() {
        return new Shaping(missingEosPenalty, rewardNorm, rewardClip, overlongBuffer, overlongPenalty, maxNewTokens);
    }

    /** These options with {@code ptx_coef} and {@code ptx_data} replaced. */
    public PpoOptions withPtx(Double coef, String data) {
        return new PpoOptions(referenceModel, criticModel, criticLr, maxPromptLen, maxNewTokens, temperature, topK, topP,
                ppoEpochs, miniBatchSize, klCoef, klEstimator, klTarget, klHorizon, gamma, lam, cliprange,
                cliprangeValue, vfCoef, entropyCoef, earlyStopKl, rewardNorm, rewardClip, missingEosPenalty, sampleEvery,
                sampleCount, advantageEstimator, groupSize, scaleRewards, lossAgg, klIn, clipLow, clipHigh,
                dynamicSampling, overlongBuffer, overlongPenalty, dynamicSamplingRounds, criticLora, criticBase, coef,
                data);
    }

    public Ptx ptx() {
        return new Ptx(ptxCoef, ptxData);
    }

    public Samples samples() {
        return new Samples(sampleEvery, sampleCount);
    }
}
