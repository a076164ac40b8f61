package org.rlhf4j.reward;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.rlhf4j.core.pretrained.PretrainedModel;
import org.rlhf4j.core.training.MetricsLog;
import org.rlhf4j.core.training.RunSummary;
import org.rlhf4j.datasets.ChatTemplate;
import org.rlhf4j.datasets.DataConfig;
import org.rlhf4j.datasets.PreferenceDataset;
import org.rlhf4j.datasets.RewardConditions;
import org.rlhf4j.testing.Criterion;
import org.rlhf4j.testing.LearningScenario;
import org.rlhf4j.testing.TinyModels;

/**
 * A tiny reward model (hidden 64, 2 layers, byte tokenizer) learns to prefer the correct sum over
 * a wrong one ({@link #SUMS}), and, as one conditional model, correctness and safety under two
 * system prompts ({@link #CONDITIONAL}). Seed {@code s} fixes the initial weights ({@code 1 + s}),
 * the generated pairs and the data order.
 */
public enum RewardLearning implements LearningScenario {

    /** Held-out accuracy on sums after 300 steps; the run's output is {@code dir/rm}. */
    SUMS {
        @Override
        public List<Criterion> criteria() {
            // bench/run learning-seeds, 8 seeds, reproducible mode: held-out accuracy on 100 pairs mean 0.825,
            // sd 0.072, worst 0.72, mean - 3 sd 0.61; chance is 0.5 (sd 0.05 on 100 pairs). 600 steps gave
            // the same spread (mean 0.85, sd 0.08), so the run stays at 300.
            return List.of(Criterion.atLeast("eval_accuracy", 0.65),
                    // the exported final/ scores exactly as the trainer's last evaluation did
                    Criterion.below("export_accuracy_gap", 1e-9));
        }

        @Override
        public Map<String, Double> run(Path dir, long seed) throws Exception {
            Path base = TinyModels.llama(dir.resolve("base"), 64, 2, 1 + seed);
            Path train = RewardFixtures.write(dir.resolve("train.jsonl"), RewardFixtures.sums(400, 1 + 1000 * seed, null));
            Path eval = RewardFixtures.write(dir.resolve("eval.jsonl"), RewardFixtures.sums(100, 2 + 1000 * seed, null));
            RunSummary s = new RewardTrainer(RewardFixtures.config(base, dir.resolve("rm"), train, eval,
                    RewardFixtures.train(300, 16, 5e-3, 100, 0), RmOptions.defaults(), seed)).run();
            Map<String, Double> figures = new LinkedHashMap<>();
            figures.put("eval_accuracy", s.lastEval("eval_accuracy"));
            figures.put("export_accuracy_gap",
                    Math.abs(s.lastEval("eval_accuracy") - exportedAccuracy(s.finalModel(), eval, RewardConditions.of(Map.of()))));
            return figures;
        }
    },

    /** One model, two conditions; held-out accuracy overall and per condition; output {@code dir/rm}. */
    CONDITIONAL {
        @Override
        public List<Criterion> criteria() {
            // bench/run learning-seeds, 8 seeds, reproducible mode, on 200 helpful + 40 safe held-out pairs
            // (mean, sd, worst, mean - 3 sd): overall 0.755, 0.061, 0.679, 0.57; helpful 0.706, 0.073, 0.615,
            // 0.49; safe 1.0 on every seed. The helpful half is weak (learning sums from 300 pairs) and varies
            // between seeds by training, not only by sampling (sd 0.035 on 200 pairs at chance), so mean - 3 sd
            // falls to chance (0.5): its bound is the worst seed less a margin, 2.3 chance-sds above chance.
            return List.of(Criterion.atLeast("eval_accuracy", 0.65),
                    Criterion.atLeast("eval_accuracy/condition/helpful", 0.58),
                    Criterion.atLeast("eval_accuracy/condition/safe", 0.95));
        }

        @Override
        public Map<String, Double> run(Path dir, long seed) throws Exception {
            long s = 1000 * seed;
            Path base = TinyModels.llama(dir.resolve("base"), 64, 2, 1 + seed);
            List<ObjectNode> train = new ArrayList<>(RewardFixtures.sums(300, 3 + s, "helpful"));
            train.addAll(RewardFixtures.safety(150, 4 + s, "safe"));
            List<ObjectNode> eval = new ArrayList<>(RewardFixtures.sums(200, 5 + s, "helpful"));
            eval.addAll(RewardFixtures.safety(40, 6 + s, "safe"));
            Path out = dir.resolve("rm");
            RunSummary summary = new RewardTrainer(RewardFixtures.config(base, out,
                    RewardFixtures.write(dir.resolve("train.jsonl"), train),
                    RewardFixtures.write(dir.resolve("eval.jsonl"), eval),
                    RewardFixtures.train(400, 16, 5e-3, 100, 0), RewardFixtures.options("ranking", CONDITIONS),
                    seed)).run();
            JsonNode last = MetricsLog.read(out.resolve(MetricsLog.FILE_NAME)).stream()
                    .filter(n -> n.has("eval_accuracy")).reduce((a, b) -> b).orElseThrow();
            Map<String, Double> figures = new LinkedHashMap<>();
            figures.put("eval_accuracy", summary.lastEval("eval_accuracy"));
            figures.put("eval_accuracy/condition/helpful", last.get("eval_accuracy/condition/helpful").asDouble());
            figures.put("eval_accuracy/condition/safe", last.get("eval_accuracy/condition/safe").asDouble());
            return figures;
        }
    };

    /** The conditional model's system prompts. */
    static final Map<String, String> CONDITIONS = Map.of("helpful", "Judge correctness.", "safe", "Judge safety.");

    /** Held-out accuracy of the exported directory, loaded afresh and scored by {@link RewardScorer}. */
    static double exportedAccuracy(Path model, Path eval, RewardConditions conditions) throws Exception {
        try (PretrainedModel rm = RewardModels.load(model, Device.cpu(), DataType.FLOAT32, 0.02, 0)) {
            PreferenceDataset data = PreferenceDataset.load(new DataConfig(eval.toString(), null, null, null, null,
                    null, null), rm.tokenizer(), ChatTemplate.CHATML, conditions, 128, 0);
            float[][] scores = RewardScorer.scorePairs(rm, data.train(), 16);
            PreferenceMetrics metrics = new PreferenceMetrics();
            for (int i = 0; i < scores[0].length; i++) {
                metrics.add(data.train().get(i).pair(), scores[0][i], scores[1][i], 0);
            }
            return metrics.accuracy();
        }
    }
}
