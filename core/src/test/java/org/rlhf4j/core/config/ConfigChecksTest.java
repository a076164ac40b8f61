package org.rlhf4j.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The shared default-and-range checks: defaults, bounds included or not, and the one wording of each message. */
class ConfigChecksTest {

    enum Kind { RANKING, FOCAL }

    private static void fails(String message, Executable check) {
        assertEquals(message, assertThrows(ConfigException.class, check).getMessage());
    }

    @Test
    void integersTakeTheDefaultAndTheirLowerBound() {
        assertEquals(8, ConfigChecks.atLeast("train.batch_size", null, 8, 1));
        assertEquals(1, ConfigChecks.atLeast("train.batch_size", 1, 8, 1));
        fails("train.batch_size must be >= 1, got 0", () -> ConfigChecks.atLeast("train.batch_size", 0, 8, 1));
        assertNull(ConfigChecks.atLeastIfSet("train.save_total_limit", null, 1));
        fails("train.save_total_limit must be >= 1, got 0", () -> ConfigChecks.atLeastIfSet("train.save_total_limit", 0, 1));
        assertEquals(100, ConfigChecks.within("eval_helpful", 100, 80, 1, 100));
        assertEquals(80, ConfigChecks.within("eval_helpful", null, 80, 1, 100));
        fails("eval_helpful must be in [1, 100], got 101", () -> ConfigChecks.within("eval_helpful", 101, 80, 1, 100));
    }

    @Test
    void numbersMustBeFiniteAndInRange() {
        assertEquals(0.2, ConfigChecks.positive("ppo.cliprange", null, 0.2));
        fails("ppo.cliprange must be finite and > 0, got 0.0", () -> ConfigChecks.positive("ppo.cliprange", 0.0, 0.2));
        fails("ppo.cliprange must be finite and > 0, got Infinity",
                () -> ConfigChecks.positive("ppo.cliprange", Double.POSITIVE_INFINITY, 0.2));
        assertEquals(0.0, ConfigChecks.nonNegative("train.lr", 0.0, 2e-5));
        fails("train.lr must be finite and >= 0, got NaN", () -> ConfigChecks.nonNegative("train.lr", Double.NaN, 2e-5));
        fails("train.lr must be finite and >= 0, got -1.0", () -> ConfigChecks.nonNegative("train.lr", -1.0, 2e-5));
        assertEquals(1.0, ConfigChecks.unit("ppo.gamma", 1.0, 0.5));
        fails("ppo.gamma must be in [0, 1], got 1.5", () -> ConfigChecks.unit("ppo.gamma", 1.5, 0.5));
    }

    @Test
    void enumsAreNamedInAnyCase() {
        assertEquals(Kind.FOCAL, ConfigChecks.oneOf("rm.loss", " Focal ", Kind.class));
        fails("rm.loss must be one of ranking, focal, got 'hinge'", () -> ConfigChecks.oneOf("rm.loss", "hinge", Kind.class));
    }
}
