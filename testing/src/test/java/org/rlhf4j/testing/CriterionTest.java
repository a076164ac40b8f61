package org.rlhf4j.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CriterionTest {

    @Test
    void boundsAndSlack() {
        Criterion atLeast = Criterion.atLeast("accuracy", 0.8);
        assertTrue(atLeast.holds(0.8));
        assertFalse(atLeast.holds(0.79));
        assertFalse(atLeast.holds(Double.NaN));
        assertEquals(0.1, atLeast.slack(0.9), 1e-12);
        Criterion below = Criterion.below("kl", 2.0);
        assertFalse(below.holds(2.0));
        assertTrue(below.holds(1.5));
        assertFalse(below.holds(Double.NaN));
        assertEquals(0.5, below.slack(1.5), 1e-12);
        assertEquals("kl < 2.0", below.toString());
    }

    @Test
    void assertMeetsNamesEveryMissedCriterion() {
        LearningScenario scenario = new LearningScenario() {
            public String name() {
                return "toy";
            }

            public List<Criterion> criteria() {
                return List.of(Criterion.atLeast("a", 1), Criterion.below("b", 0), Criterion.atLeast("c", 0));
            }

            public Map<String, Double> run(Path dir, long seed) {
                return Map.of();
            }
        };
        LearningScenario.assertMeets(scenario, Map.of("a", 1.0, "b", -1.0, "c", 0.0));
        AssertionError e = assertThrows(AssertionError.class,
                () -> LearningScenario.assertMeets(scenario, Map.of("a", 0.5, "b", -1.0)));
        assertTrue(e.getMessage().contains("a >= 1.0 but was 0.5") && e.getMessage().contains("c was not reported"),
                e.getMessage());
    }
}
