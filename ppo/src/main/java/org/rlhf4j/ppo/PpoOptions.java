package org.rlhf4j.ppo;

import org.rlhf4j.core.config.ConfigException;
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
        Integer sampleCount) {

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

    /** The KL penalty: {@code kl_coef}, {@code kl_estimator}, {@code kl_target}, {@code kl_horizon}. */
    public record Kl(double coef, KlEstimator estimator, Double target, int horizon) {

        /** The controller the keys describe, at its starting value. */
        public KlController controller() {
            return target == null ? KlController.fixed(coef) : KlController.adaptive(coef, target, horizon);
        }
    }

    /** GAE: {@code gamma}, {@code lam}. */
    public record Advantage(double gamma, double lam) {}

    /**
     * The update phase: {@code ppo_epochs}, {@code mini_batch_size} (resolved), {@code cliprange},
     * {@code cliprange_value}, {@code vf_coef}, {@code entropy_coef}, {@code early_stop_kl} (null: never).
     */
    public record Update(int epochs, int miniBatchSize, double cliprange, double cliprangeValue, double vfCoef,
            double entropyCoef, Double earlyStopKl) {}

    /**
     * How a response's score becomes its reward ({@link TokenRewards}): {@code missing_eos_penalty}
     * (null: none), {@code reward_norm}, {@code reward_clip} (null: none).
     */
    public record Shaping(Double missingEosPenalty, RewardNorm norm, Double clip) {}

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
        return new Kl(klCoef, klEstimator, klTarget, klHorizon);
    }

    public Advantage advantage() {
        return new Advantage(gamma, lam);
    }

    /** The update options, {@code mini_batch_size} defaulting to {@code rolloutBatch} (one step per epoch). */
    public Update update(int rolloutBatch) {
        return new Update(ppoEpochs, miniBatchSize != null ? miniBatchSize : rolloutBatch, cliprange, cliprangeValue,
                vfCoef, entropyCoef, earlyStopKl);
    }

    public Shaping shaping() {
        return new Shaping(missingEosPenalty, rewardNorm, rewardClip);
    }

    public Samples samples() {
        return new Samples(sampleEvery, sampleCount);
    }

    private static Integer atLeast(String key, Integer value, Integer fallback, int min) {
        Integer v = value == null ? fallback : value;
        if (v != null && v < min) {
            throw new ConfigException(key + " must be >= " + min + ", got " + v);
        }
        return value == null && fallback == null ? null : v;
    }

    private static Double positive(String key, Double value, double fallback) {
        double v = value == null ? fallback : value;
        if (!(v > 0) || Double.isInfinite(v)) {
            throw new ConfigException(key + " must be finite and > 0, got " + v);
        }
        return v;
    }

    private static Double nonNegative(String key, Double value, double fallback) {
        double v = value == null ? fallback : value;
        if (!(v >= 0) || Double.isInfinite(v)) {
            throw new ConfigException(key + " must be finite and >= 0, got " + v);
        }
        return v;
    }

    private static Double unit(String key, Double value, double fallback) {
        double v = value == null ? fallback : value;
        if (!(v >= 0 && v <= 1)) {
            throw new ConfigException(key + " must be in [0, 1], got " + v);
        }
        return v;
    }
}
