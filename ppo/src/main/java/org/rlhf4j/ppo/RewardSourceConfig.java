package org.rlhf4j.ppo;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;
import java.util.Set;
import org.rlhf4j.core.config.ConfigException;

/**
 * One entry of {@code rewards.sources}: a reward model directory, a built-in rule or a user
 * {@link org.rlhf4j.core.reward.RewardFunction}.
 *
 * @param type {@code reward_model}, {@code exact_answer}, {@code regex} or {@code length_penalty};
 *     leave it out when {@code class} is given
 * @param className ({@code class:}) a user RewardFunction: its fully qualified class name, or the
 *     {@code name()} it is registered under with ServiceLoader
 * @param path the reward model directory ({@code reward_model} only)
 * @param conditional whether a {@code reward_model} is conditional (COOL RLHF) and receives the
 *     condition's system prompt; default: when its directory has {@code rlhf4j_conditions.json}
 * @param weight factor in the weighted sum (default 1.0)
 * @param whiten whiten this source's scores over the rows it scored in the batch, before they are
 *     combined (default false)
 * @param options the rule's or class's options, passed to {@code configure}
 */
public record RewardSourceConfig(
        String type,
        @JsonProperty("class") String className,
        String path,
        Boolean conditional,
        Double weight,
        Boolean whiten,
        Map<String, Object> options) {

    /** The {@code type} values. */
    public static final Set<String> TYPES = Set.of("reward_model", "exact_answer", "regex", "length_penalty");

    public RewardSourceConfig {
        if ((type == null) == (className == null)) {
            throw new ConfigException("rewards.sources: each source needs exactly one of 'type' ("
                    + String.join(", ", TYPES.stream().sorted().toList()) + ") or 'class' (a RewardFunction)");
        }
        if (type != null && !TYPES.contains(type)) {
            throw new ConfigException("rewards.sources: unknown type '" + type + "'; known: "
                    + String.join(", ", TYPES.stream().sorted().toList()) + " (or give 'class' for your own)");
        }
        boolean model = "reward_model".equals(type);
        if (model && (path == null || path.isBlank())) {
            throw new ConfigException("rewards.sources: a reward_model source needs 'path', its model directory");
        }
        if (!model && path != null) {
            throw new ConfigException("rewards.sources: 'path' is for reward_model sources; rules take 'options'");
        }
        if (model && options != null && !options.isEmpty()) {
            throw new ConfigException("rewards.sources: a reward_model source takes no 'options'");
        }
        if (!model && conditional != null) {
            throw new ConfigException("rewards.sources: 'conditional' is for reward_model sources");
        }
        weight = weight == null ? 1.0 : weight;
        if (!Double.isFinite(weight)) {
            throw new ConfigException("rewards.sources: weight must be finite, got " + weight);
        }
        whiten = whiten != null && whiten;
        options = options == null ? Map.of() : Map.copyOf(options);
    }

    @JsonIgnore // derived, not a key: config.resolved.yaml must load back as a config
    public boolean isRewardModel() {
        return "reward_model".equals(type);
    }
}
