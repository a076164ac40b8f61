package org.rlhf4j.ppo;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.rlhf4j.testing.Criterion;
import org.rlhf4j.testing.LearningScenario;
import org.rlhf4j.core.io.SaveDtype;
import org.rlhf4j.core.lora.LoraConfig;
import org.rlhf4j.core.pretrained.PretrainedModel;
import org.rlhf4j.core.pretrained.ScalarHead;
import org.rlhf4j.core.training.MetricsLog;

/**
 * {@link PpoLearning}'s letter task (full policy at lr 1e-3) with the critic as LoRA adapters (r 8 on
 * q/v/up) and a value head on a reward model's frozen base ({@code ppo.critic_base: reward_model}):
 * the reward model is the warmed-up policy's trunk with a zero score head, a source of weight 0 (the
 * reward is still the "starts with a" rule), so the value head starts at 0 like a full critic's.
 * The policy learns to answer "a" while the KL to the reference stays bounded.
 */
public enum PpoLoraCriticLearning implements LearningScenario {

    STARTS_WITH_A_LORA_CRITIC;

    static final LoraConfig CRITIC = new LoraConfig(8, 16.0, null, List.of("q_proj", "v_proj", "up_proj"), null, null);

    @Override
    public List<Criterion> criteria() {
        // the thresholds of PpoLearning: the critic's form must not cost the policy its learning
        return List.of(Criterion.below("score_early", 0.6),
                Criterion.atLeast("score_late", 0.75),
                Criterion.atLeast("score_gain", 0.3),
                Criterion.below("kl_late", 2.0),
                Criterion.below("kl_max", 4.0),
                // the critic's adapters and head learn the returns: its loss falls
                Criterion.below("value_loss_late_over_early", 0.5));
    }

    @Override
    public Map<String, Double> run(Path dir, long seed) throws Exception {
        Map<String, Double> figures = PpoFixtures.letterRun(dir, seed, c -> {
            Path rm = dir.resolve("rm");
            try (PretrainedModel policy = PretrainedModel.load(Path.of(c.model()));
                    PretrainedModel classifier = ScalarHead.swap(policy, new float[policy.config().hiddenSize()])) {
                classifier.save(rm, SaveDtype.FLOAT32);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Map<String, RewardSourceConfig> sources = new LinkedHashMap<>(c.rewards().sources());
            sources.put("value_base", new RewardSourceConfig("reward_model", null, rm.toString(), null, 0.0, null, null));
            RewardsConfig rewards = new RewardsConfig(sources, null, null, null);
            return new PpoConfig(c.model(), c.outputDir(), c.seed(), c.device(), c.dtype(), c.saveDtype(), c.data(),
                    c.train(), c.ppo().withLoraCritic(CRITIC, CriticBase.REWARD_MODEL), rewards, null);
        });
        List<JsonNode> lines = MetricsLog.read(dir.resolve("run").resolve(MetricsLog.FILE_NAME));
        figures.put("value_loss_late_over_early", PpoFixtures.mean(lines.subList(20, 24), "loss/value")
                / PpoFixtures.mean(lines.subList(0, 4), "loss/value"));
        return figures;
    }
}
