package org.rlhf4j.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.math3.stat.descriptive.DescriptiveStatistics;
import org.rlhf4j.core.runtime.NumericMode;
import org.rlhf4j.core.runtime.Runtime;
import org.rlhf4j.dpo.DpoLearning;
import org.rlhf4j.ppo.GrpoLearning;
import org.rlhf4j.ppo.PpoLearning;
import org.rlhf4j.ppo.PpoLoraCriticLearning;
import org.rlhf4j.reward.RewardLearning;
import org.rlhf4j.sft.SftLearning;
import org.rlhf4j.testing.Criterion;
import org.rlhf4j.testing.LearningScenario;

/**
 * The figures that the end-to-end "it learns" tests assert, measured over several seeds, with each
 * threshold beside the spread: the tests run seed 0 only, so a threshold is honest when it holds for
 * every seed measured with room to spare (the README's rule: below the mean by at least 3 standard
 * deviations where the spread allows, and above chance).
 *
 * <p>{@code ./bench/run learning-seeds [--seeds 5] [--first 0] [--only NAME,...]}. Every seed runs
 * each scenario in a fresh temporary directory; a line per run is printed as it finishes, the
 * table at the end. The numbers do not depend on the machine's load (threads are fixed), only on
 * the numeric mode, which the header names.
 */
public final class LearningSeedsBenchmark {

    private static final List<LearningScenario> SCENARIOS = List.of(SftLearning.ADDITION, RewardLearning.SUMS,
            RewardLearning.CONDITIONAL, DpoLearning.POLITENESS, DpoLearning.SIMPO, DpoLearning.ORPO, DpoLearning.KTO,
            PpoLearning.STARTS_WITH_A, PpoLoraCriticLearning.STARTS_WITH_A_LORA_CRITIC, GrpoLearning.GRPO,
            GrpoLearning.RLOO, GrpoLearning.REINFORCE_BASELINE, GrpoLearning.DAPO);

    private LearningSeedsBenchmark() {}

    public static void main(String[] args) throws Exception {
        Runtime.configureOffline();
        int seeds = 5;
        long first = 0;
        List<String> only = List.of();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seeds" -> seeds = Integer.parseInt(args[++i]);
                case "--first" -> first = Long.parseLong(args[++i]);
                case "--only" -> only = List.of(args[++i].split(","));
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (known: --seeds N, --first SEED, --only " + String.join(",", names()) + ")");
            }
        }
        List<LearningScenario> chosen = new ArrayList<>();
        for (LearningScenario s : SCENARIOS) {
            if (only.isEmpty() || only.contains(label(s))) {
                chosen.add(s);
            }
        }
        if (chosen.isEmpty()) {
            throw new IllegalArgumentException("--only matched no scenario; known: " + String.join(",", names()));
        }
        System.out.println(NumericMode.current().describe());
        Map<LearningScenario, List<Map<String, Double>>> results = new LinkedHashMap<>();
        for (LearningScenario scenario : chosen) {
            List<Map<String, Double>> runs = new ArrayList<>();
            for (long seed = first; seed < first + seeds; seed++) {
                Path dir = Files.createTempDirectory("rlhf4j-learning-" + label(scenario));
                long started = System.nanoTime();
                try {
                    Map<String, Double> figures = scenario.run(dir, seed);
                    runs.add(figures);
                    System.out.printf("%s seed %d (%.0f s): %s%n", label(scenario), seed,
                            (System.nanoTime() - started) / 1e9, figures);
                } finally {
                    deleteTree(dir);
                }
            }
            results.put(scenario, runs);
        }
        System.out.printf("%n%d seeds from %d%n", seeds, first);
        System.out.println("| scenario | criterion | per seed | mean | sd | worst | mean -/+ 3 sd | holds for every seed |");
        System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- |");
        for (Map.Entry<LearningScenario, List<Map<String, Double>>> e : results.entrySet()) {
            for (Criterion c : e.getKey().criteria()) {
                System.out.println(row(label(e.getKey()), c, e.getValue()));
            }
        }
    }

    /** One table row: the criterion's figure over every seed and whether the threshold clears it. */
    static String row(String scenario, Criterion c, List<Map<String, Double>> runs) {
        DescriptiveStatistics stats = new DescriptiveStatistics();
        List<String> values = new ArrayList<>();
        boolean all = true;
        for (Map<String, Double> run : runs) {
            double v = run.getOrDefault(c.figure(), Double.NaN);
            stats.addValue(v);
            values.add(format(v));
            all &= c.holds(v);
        }
        boolean atLeast = c.bound() == Criterion.Bound.AT_LEAST;
        double worst = atLeast ? stats.getMin() : stats.getMax();
        double band = atLeast ? stats.getMean() - 3 * stats.getStandardDeviation()
                : stats.getMean() + 3 * stats.getStandardDeviation();
        return String.format("| %s | %s | %s | %s | %s | %s | %s | %s |", scenario, c, String.join(", ", values),
                format(stats.getMean()), format(stats.getStandardDeviation()), format(worst), format(band),
                all ? "yes" : "**no**");
    }

    private static String format(double v) {
        return Math.abs(v) < 1e-3 && v != 0 ? String.format("%.1e", v) : String.format("%.3f", v);
    }

    private static String label(LearningScenario s) {
        return s instanceof Enum<?> e ? e.getDeclaringClass().getSimpleName() + "." + e.name() : s.name();
    }

    private static List<String> names() {
        return SCENARIOS.stream().map(LearningSeedsBenchmark::label).toList();
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
