package org.rlhf4j.ppo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlhf4j.core.config.UserException;
import org.rlhf4j.core.reward.RewardFunctions;
import org.rlhf4j.core.reward.RewardInput;
import org.rlhf4j.core.rollout.FinishReason;
import org.rlhf4j.datasets.ChatMessage;
import org.rlhf4j.datasets.PromptDataset;
import org.rlhf4j.datasets.PromptRecord;

/** Routing by condition and tags, and the weighted sum, with rule sources (no model needed). */
class RewardSourcesTest {

    @Test
    void routesByConditionThenTagThenDefault() {
        Map<String, RewardSourceConfig> sources = new LinkedHashMap<>();
        sources.put("exact", new RewardSourceConfig("exact_answer", null, null, null, 2.0, null, null));
        sources.put("short", new RewardSourceConfig("length_penalty", null, null, null, null, null,
                Map.of("per_token", 1.0)));
        Map<String, ConditionConfig> conditions = new LinkedHashMap<>();
        conditions.put("math", new ConditionConfig(List.of("exact"), null));
        conditions.put("default", new ConditionConfig(List.of("short"), null));
        RewardsConfig config = new RewardsConfig(sources, RewardsConfig.Combine.SUM, null, conditions);
        Map<String, RewardSource> opened = new LinkedHashMap<>();
        opened.put("exact", new FunctionSource("exact", RewardFunctions.load("exact_answer", Map.of())));
        opened.put("short", new FunctionSource("short", RewardFunctions.load("length_penalty",
                Map.of("per_token", 1.0))));
        RewardSources rewards = new RewardSources(config, opened);

        // row 0: condition math, right answer -> 2 * 1; row 1: tagged math, wrong -> 2 * 0;
        // row 2: no condition or tag -> default: -1 * 3 tokens
        List<PromptRecord> prompts = List.of(record("math", List.of(), "4"), record(null, List.of("math"), "5"),
                record(null, List.of("chat"), null));
        List<String> responses = List.of("4", "6", "hey");
        List<RewardInput> inputs = new ArrayList<>();
        List<RewardRouter.Route> routes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            PromptRecord p = prompts.get(i);
            inputs.add(new RewardInput(p.userText(), responses.get(i), new int[] {1}, new int[] {1, 2, 3},
                    FinishReason.EOS, p.condition(), p.tags(), p.answer(), Map.of()));
            routes.add(rewards.router().route(p));
        }
        RewardSources.Scores s = rewards.score(new ScoringBatch(null, prompts, inputs, routes), null);
        assertArrayEquals(new double[] {2, 0, -3}, s.combined(), 1e-12);
        assertEquals(1.0, s.perSource().get("exact")[0]);
        assertEquals(Double.NaN, s.perSource().get("exact")[2]);
        assertEquals(-3.0, s.perSource().get("short")[2]);
    }

    @Test
    void aPromptLackingWhatItsRuleNeedsIsNamedByFileAndLineBeforeTraining(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("prompts.jsonl");
        Files.writeString(file, String.join("\n",
                "{\"prompt\": \"2+2\", \"answer\": \"4\"}",
                "{\"prompt\": \"2+3\", \"answer\": 5}",
                "{\"prompt\": \"2+4\"}",
                "{\"prompt\": \"hello\", \"tags\": [\"chat\"]}", // routed to the length penalty alone
                ""));
        Map<String, RewardSourceConfig> sources = new LinkedHashMap<>();
        sources.put("exact", new RewardSourceConfig("exact_answer", null, null, null, null, null, null));
        sources.put("short", new RewardSourceConfig("length_penalty", null, null, null, null, null, null));
        RewardsConfig config = new RewardsConfig(sources, RewardsConfig.Combine.SUM, null, Map.of(
                "chat", new ConditionConfig(List.of("short"), null)));
        try (RewardSources rewards = RewardSources.open(config, null, null, null, null,
                getClass().getClassLoader())) {
            List<PromptRecord> prompts = PromptDataset.load(file, false).prompts();
            UserException e = assertThrows(UserException.class,
                    () -> rewards.requireScorable(prompts));
            assertTrue(e.getMessage().startsWith("1 prompt(s) cannot be scored")
                    && e.getMessage().contains(file + ":3: rewards.sources.exact: has no \"answer\""), e.getMessage());
            rewards.requireScorable(prompts.subList(0, 2)); // every one of these has its answer
        }
    }

    private static PromptRecord record(String condition, List<String> tags, String answer) {
        return new PromptRecord(List.of(ChatMessage.user("q")), condition, tags, answer, Map.of(), "test:1");
    }
}
