package org.rlhf4j.dpo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.rlhf4j.core.config.ConfigException;

/** The {@code dpo:} keys of the offline variants: defaults per loss type, and keys that do not apply refused by name. */
class DpoOptionsTest {

    private static DpoOptions options(Double beta, String lossType, Double rpoAlpha, Double gamma, Double desirable,
            Double undesirable) {
        return new DpoOptions(beta, lossType, null, rpoAlpha, null, null, null, gamma, desirable, undesirable);
    }

    private static String refused(Double beta, String lossType, Double rpoAlpha, Double gamma, Double desirable,
            Double undesirable) {
        return assertThrows(ConfigException.class, () -> options(beta, lossType, rpoAlpha, gamma, desirable,
                undesirable)).getMessage();
    }

    @Test
    void simpoDefaultsToThePapersBetaAndHalfOfItAsMargin() {
        DpoOptions simpo = options(null, "simpo", null, null, null, null);
        assertEquals(2.0, simpo.beta());
        assertEquals(1.0, simpo.simpoGamma());
        assertFalse(simpo.needsReference());
        assertTrue(simpo.averagesLogps());
        assertEquals(1.25, options(2.5, "simpo", null, null, null, null).simpoGamma());
        assertEquals(0.3, options(2.5, "simpo", null, 0.3, null, null).simpoGamma());
        assertEquals(0.1, DpoOptions.defaults().beta());
    }

    @Test
    void orpoHasItsNllBuiltInAndKtoItsWeights() {
        DpoOptions orpo = options(null, "orpo", null, null, null, null);
        assertEquals(1.0, orpo.nllWeight());
        assertFalse(orpo.needsReference());
        assertEquals(0.5, options(null, "sigmoid", 0.5, null, null, null).nllWeight());
        DpoOptions kto = options(null, "kto", null, null, 1.0, 1.33);
        assertEquals(1.33, kto.undesirableWeight());
        assertTrue(kto.needsReference());
        assertFalse(kto.type().paired());
    }

    @Test
    void keysOfAnotherLossAreRefusedWithTheKeyNamed() {
        assertEquals("dpo.simpo_gamma applies to loss_type simpo only, not sigmoid",
                refused(null, "sigmoid", null, 0.5, null, null));
        assertEquals("dpo.undesirable_weight applies to loss_type kto only, not orpo",
                refused(null, "orpo", null, null, null, 1.5));
        // the defaults, as config.resolved.yaml writes them back, are not settings of another loss
        assertEquals(0.0, options(null, "orpo", null, 0.0, 1.0, 1.0).simpoGamma());
        assertEquals("dpo.rpo_alpha does not apply to loss_type orpo (ORPO's loss already has the chosen NLL, weight 1);"
                + " remove it", refused(null, "orpo", 1.0, null, null, null));
        assertEquals("dpo.simpo_gamma must be finite and >= 0, got -1.0", refused(null, "simpo", null, -1.0, null, null));
        assertEquals("dpo.desirable_weight and dpo.undesirable_weight are both 0: nothing to train",
                refused(null, "kto", null, null, 0.0, 0.0));
        assertTrue(refused(null, "cpo", null, null, null, null).contains("simpo, orpo or kto"));
    }
}
