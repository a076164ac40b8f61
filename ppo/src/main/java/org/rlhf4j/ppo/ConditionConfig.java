package org.rlhf4j.ppo;

import java.util.List;
import org.rlhf4j.core.config.ConfigException;

/**
 * One entry of {@code rewards.conditions}: which sources score the prompts of a condition, and
 * the system prompt conditional reward models see for them.
 *
 * @param sources source names (required, at least one)
 * @param systemPrompt the system prompt for conditional reward models; default: the entry of the
 *     model directory's {@code rlhf4j_conditions.json} of the same name, if any
 */
public record ConditionConfig(List<String> sources, String systemPrompt) {

    public ConditionConfig {
        if (sources == null || sources.isEmpty()) {
            throw new ConfigException("rewards.conditions: each condition needs 'sources', a list of source names");
        }
        sources = List.copyOf(sources);
        if (systemPrompt != null && systemPrompt.isBlank()) {
            throw new ConfigException("rewards.conditions: system_prompt is empty; leave it out instead");
        }
    }
}
