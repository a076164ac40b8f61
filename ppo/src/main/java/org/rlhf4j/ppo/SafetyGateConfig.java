package org.rlhf4j.ppo;

import java.util.List;
import org.rlhf4j.core.config.ConfigException;

/**
 * {@code rewards.gate}: Llama 2-Chat's combination of a helpfulness and a safety reward model
 * (Touvron et al. 2023, section 3.2.2). For a row scored by both, the safety score is used when the
 * prompt is safety-tagged or {@code sigmoid(safety) < threshold}, the helpfulness score otherwise;
 * the chosen raw score (the logit) is then whitened over the batch.
 *
 * @param helpfulness the source name of the helpfulness model (required)
 * @param safety the source name of the safety model (required)
 * @param threshold the safety threshold on {@code sigmoid(safety)} (default 0.15)
 * @param safetyTags prompt tags (or a {@code condition}) that mark a prompt as safety-relevant
 *     (default {@code [safety]})
 * @param whiten whiten the gated score over the batch (default true, as in Llama 2)
 */
public record SafetyGateConfig(String helpfulness, String safety, Double threshold, List<String> safetyTags,
        Boolean whiten) {

    public SafetyGateConfig {
        if (helpfulness == null || safety == null) {
            throw new ConfigException("rewards.gate needs 'helpfulness' and 'safety', the names of two sources");
        }
        if (helpfulness.equals(safety)) {
            throw new ConfigException("rewards.gate: helpfulness and safety must be two different sources");
        }
        threshold = threshold == null ? 0.15 : threshold;
        if (!(threshold > 0 && threshold < 1)) {
            throw new ConfigException("rewards.gate.threshold must be in (0, 1), got " + threshold);
        }
        safetyTags = safetyTags == null ? List.of("safety") : List.copyOf(safetyTags);
        whiten = whiten == null || whiten;
    }
}
