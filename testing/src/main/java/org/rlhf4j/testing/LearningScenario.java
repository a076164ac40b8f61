package org.rlhf4j.testing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An end-to-end "it learns" run on a tiny model, parameterised by one seed that fixes everything
 * random in it (initial weights, generated data, data order, sampling), and the criteria its
 * figures must meet. The module's test runs seed 0; {@code bench/run learning-seeds} runs many.
 */
public interface LearningScenario {

    /** A short name, e.g. {@code rm-conditional}. */
    String name();

    /** What the figures must meet (the test asserts exactly these). */
    List<Criterion> criteria();

    /** Runs the scenario in {@code dir} (empty, owned by the caller) and returns figure name to value. */
    Map<String, Double> run(Path dir, long seed) throws Exception;

    /** Throws an {@link AssertionError} naming every criterion that {@code figures} miss. */
    static void assertMeets(LearningScenario scenario, Map<String, Double> figures) {
        List<String> failed = new ArrayList<>();
        for (Criterion c : scenario.criteria()) {
            Double value = figures.get(c.figure());
            if (value == null) {
                failed.add(c.figure() + " was not reported");
            } else if (!c.holds(value)) {
                failed.add(c + " but was " + value);
            }
        }
        if (!failed.isEmpty()) {
            throw new AssertionError(scenario.name() + ": " + String.join("; ", failed) + " (all figures: "
                    + figures + ")");
        }
    }
}
