package org.rlhf4j.ppo;

import java.util.List;
import java.util.Map;
import org.rlhf4j.datasets.PromptRecord;

/**
 * Routes a prompt to reward sources per {@code rewards.conditions}: its {@code condition} if that
 * names an entry, else the first entry (in config order) named by one of its tags, else
 * {@code default}, else every source.
 */
final class RewardRouter {

    /**
     * Where a prompt goes.
     *
     * @param condition the routing entry that matched, or null when none did (every source)
     * @param config that entry, or null
     * @param sources the source names that score the prompt
     */
    record Route(String condition, ConditionConfig config, List<String> sources) {}

    private final Map<String, ConditionConfig> conditions;
    private final List<String> allSources;

    RewardRouter(RewardsConfig config) {
        this.conditions = config.conditions();
        this.allSources = List.copyOf(config.sources().keySet());
    }

    Route route(PromptRecord prompt) {
        if (prompt.condition() != null && conditions.containsKey(prompt.condition())) {
            return of(prompt.condition());
        }
        for (String name : conditions.keySet()) {
            if (prompt.tags().contains(name)) {
                return of(name);
            }
        }
        if (conditions.containsKey(RewardsConfig.DEFAULT_CONDITION)) {
            return of(RewardsConfig.DEFAULT_CONDITION);
        }
        return new Route(null, null, allSources);
    }

    private Route of(String name) {
        ConditionConfig c = conditions.get(name);
        return new Route(name, c, c.sources());
    }
}
