package org.rlhf4j.ppo;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.rlhf4j.core.config.ConfigException;

/**
 * The {@code rewards:} section: named reward sources, how a prompt is routed to them, and how
 * their scores combine into one score per response.
 *
 * <p>Routing: a prompt whose {@code condition} names an entry of {@code conditions} uses that
 * entry's sources; otherwise the first entry (in file order) named by one of its {@code tags};
 * otherwise the {@code default} entry if there is one; otherwise every source.
 *
 * @param sources name to source (required, at least one)
 * @param combine {@code sum} (default): the weighted sum of the routed sources' scores;
 *     {@code safety_gate}: the {@link SafetyGateConfig gate} over its two models, plus the weighted
 *     sum of any other routed sources
 * @param gate the safety gate ({@code combine: safety_gate} only)
 * @param conditions condition or tag name to routing entry (optional)
 */
public record RewardsConfig(Map<String, RewardSourceConfig> sources, Combine combine, SafetyGateConfig gate,
        Map<String, ConditionConfig> conditions) {

    /** How the routed sources' scores become one score per response ({@code rewards.combine}). */
    public enum Combine implements ConfigEnum {
        /** The weighted sum of the routed sources' scores. */
        SUM,
        /** The {@link SafetyGate} over its two models, plus the weighted sum of any other routed source. */
        SAFETY_GATE;

        /** {@code sum} or {@code safety_gate}. */
        @JsonCreator
        public static Combine fromName(String name) {
            return ConfigEnum.parse(Combine.class, "rewards.combine", name);
        }
    }

    /** The routing entry for prompts that match no other. */
    public static final String DEFAULT_CONDITION = "default";

    public RewardsConfig {
        if (sources == null || sources.isEmpty()) {
            throw new ConfigException("rewards.sources: name at least one reward source");
        }
        sources = new LinkedHashMap<>(sources);
        combine = combine == null ? Combine.SUM : combine;
        if (combine == Combine.SAFETY_GATE && gate == null) {
            throw new ConfigException("rewards.combine: safety_gate needs a rewards.gate section"
                    + " (helpfulness, safety, threshold)");
        }
        if (combine == Combine.SUM && gate != null) {
            throw new ConfigException("rewards.gate is set but rewards.combine is sum; set combine: safety_gate");
        }
        if (gate != null) {
            for (String name : new String[] {gate.helpfulness(), gate.safety()}) {
                requireSource(sources, name, "rewards.gate");
                if (!sources.get(name).isRewardModel()) {
                    throw new ConfigException("rewards.gate: '" + name + "' must be a reward_model source");
                }
            }
        }
        conditions = conditions == null ? Map.of() : new LinkedHashMap<>(conditions);
        for (Map.Entry<String, ConditionConfig> e : conditions.entrySet()) {
            for (String s : e.getValue().sources()) {
                requireSource(sources, s, "rewards.conditions." + e.getKey());
            }
        }
    }

    public boolean safetyGate() {
        return combine == Combine.SAFETY_GATE;
    }

    private static void requireSource(Map<String, RewardSourceConfig> sources, String name, String where) {
        if (!sources.containsKey(name)) {
            throw new ConfigException(where + ": no source named '" + name + "'; sources: "
                    + String.join(", ", sources.keySet()));
        }
    }
}
