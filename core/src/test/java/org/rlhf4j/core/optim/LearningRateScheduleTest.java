package org.rlhf4j.core.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.rlhf4j.core.optim.LearningRateSchedule.Kind;

class LearningRateScheduleTest {

    private static final double TOL = 1e-12;

    @Test
    void cosineWarmsUpThenFallsToZero() {
        // peak 2, warmup 10, max 110: decay over 100 steps.
        LearningRateSchedule s = new LearningRateSchedule(Kind.COSINE, 2.0, 10, 110);
        assertEquals(0.0, s.lr(0), TOL);   // 0 / 10: the first step runs at lr 0, as in transformers
        assertEquals(1.0, s.lr(5), TOL);   // 2 * 5 / 10
        assertEquals(2.0, s.lr(10), TOL);  // warmup end: progress 0, 0.5 * (1 + cos 0) = 1
        // progress 0.25: 0.5 * (1 + cos(pi / 4)) = 0.8535534 -> 1.7071068
        assertEquals(1.7071067811865475, s.lr(35), TOL);
        assertEquals(1.0, s.lr(60), TOL);  // midpoint: 0.5 * (1 + cos(pi / 2)) = 0.5
        assertEquals(0.0, s.lr(110), TOL); // end: 0.5 * (1 + cos(pi)) = 0
    }

    @Test
    void linearFallsToZeroAndStays() {
        LearningRateSchedule s = new LearningRateSchedule(Kind.LINEAR, 2.0, 10, 110);
        assertEquals(0.2, s.lr(1), TOL);   // 2 * 1 / 10
        assertEquals(2.0, s.lr(10), TOL);  // (110 - 10) / 100
        assertEquals(1.0, s.lr(60), TOL);  // 2 * (110 - 60) / 100
        assertEquals(0.02, s.lr(109), TOL); // 2 * 1 / 100
        assertEquals(0.0, s.lr(110), TOL);
        assertEquals(0.0, s.lr(500), TOL); // max(0, negative)
    }

    @Test
    void constantHoldsThePeakAfterWarmup() {
        LearningRateSchedule s = new LearningRateSchedule(Kind.CONSTANT, 3e-4, 4, 100);
        assertEquals(0.0, s.lr(0), TOL);
        assertEquals(1.5e-4, s.lr(2), TOL);
        assertEquals(3e-4, s.lr(4), TOL);
        assertEquals(3e-4, s.lr(100), TOL);
        assertEquals(3e-4, s.lr(5000), TOL);
        LearningRateSchedule noWarmup = new LearningRateSchedule(Kind.CONSTANT, 3e-4, 0, 100);
        assertEquals(3e-4, noWarmup.lr(0), TOL);
    }

    @Test
    void withoutWarmupTheFirstStepRunsAtThePeak() {
        LearningRateSchedule s = new LearningRateSchedule(Kind.COSINE, 1.0, 0, 4);
        assertEquals(1.0, s.lr(0), TOL);
        assertEquals(0.5, s.lr(2), TOL); // 0.5 * (1 + cos(pi * 2 / 4))
        assertEquals(0.0, s.lr(4), TOL);
    }

    @Test
    void kindParsesConfigNamesAndListsTheValidOnes() {
        assertEquals(Kind.COSINE, Kind.fromName("cosine"));
        assertEquals(Kind.LINEAR, Kind.fromName("Linear"));
        assertEquals(Kind.CONSTANT, Kind.fromName("constant"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Kind.fromName("cosine_restarts"));
        assertTrue(e.getMessage().contains("cosine_restarts"), e.getMessage());
        assertTrue(e.getMessage().contains("cosine, linear, constant"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Kind.fromName(null));
    }

    @Test
    void rejectsInvalidSettingsNamingTheKey() {
        IllegalArgumentException warmup = assertThrows(IllegalArgumentException.class,
                () -> new LearningRateSchedule(Kind.LINEAR, 1.0, -1, 10));
        assertTrue(warmup.getMessage().contains("train.warmup_steps"), warmup.getMessage());
        IllegalArgumentException steps = assertThrows(IllegalArgumentException.class,
                () -> new LearningRateSchedule(Kind.LINEAR, 1.0, 0, 0));
        assertTrue(steps.getMessage().contains("train.max_steps"), steps.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new LearningRateSchedule(Kind.LINEAR, -1.0, 0, 10));
        assertThrows(IllegalArgumentException.class,
                () -> new LearningRateSchedule(Kind.LINEAR, 1.0, 0, 10).lr(-1));
    }
}
