package org.rlhf4j.reward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.rlhf4j.datasets.ChatMessage;
import org.rlhf4j.datasets.PreferencePair;

/** Accuracy overall, by degree and by condition, and the means, on pairs counted by hand. */
class PreferenceMetricsTest {

    @Test
    void accuracyByDegreeAndCondition() {
        PreferenceMetrics m = new PreferenceMetrics();
        m.add(pair("better", "helpful"), 2, 1, 0.5); // right
        m.add(pair("better", "helpful"), 0, 1, 0.5); // wrong
        m.add(pair("significantly_better", "safety"), 3, -1, 1); // right
        m.add(pair(null, "safety"), 1, 1, 0); // tie: wrong
        // overall 2/4; better 1/2, significantly_better 1/1, none 0/1; helpful 1/2, safety 1/2
        assertEquals(0.5, m.accuracy());
        assertEquals(Map.of("significantly_better", 1.0, "better", 0.5, "none", 0.0), m.accuracyByDegree());
        assertEquals(List.of("significantly_better", "better", "none"), List.copyOf(m.accuracyByDegree().keySet()));
        assertEquals(Map.of("helpful", 0.5, "safety", 0.5), m.accuracyByCondition());
        // chosen mean (2 + 0 + 3 + 1) / 4 = 1.5, rejected (1 + 1 - 1 + 1) / 4 = 0.5, margin 1.0, target 0.5
        assertEquals(1.5, m.meanChosen());
        assertEquals(0.5, m.meanRejected());
        assertEquals(1.0, m.meanMargin());
        assertEquals(0.5, m.meanTargetMargin());
        Map<String, Object> line = m.toMetrics("eval_");
        assertEquals(0.5, line.get("eval_accuracy"));
        assertEquals(1.0, line.get("eval_accuracy/degree/significantly_better"));
        assertEquals(0.5, line.get("eval_accuracy/condition/safety"));
        assertEquals(1.0, line.get("eval_margin"));
    }

    @Test
    void noDegreesOrConditionsLeaveTheirKeysOut() {
        PreferenceMetrics m = new PreferenceMetrics();
        m.add(pair(null, null), 1, 0, 0);
        Map<String, Object> line = m.toMetrics("");
        assertEquals(1.0, line.get("accuracy"));
        assertFalse(line.keySet().stream().anyMatch(k -> k.startsWith("accuracy/")), line.toString());
    }

    private static PreferencePair pair(String degree, String condition) {
        return new PreferencePair(List.of(ChatMessage.user("q")), "a", "b", degree, null, condition, "t:1");
    }
}
