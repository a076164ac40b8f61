package org.rlhf4j.ppo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.rlhf4j.core.reward.RewardFunction;
import org.rlhf4j.core.reward.RewardFunctions;
import org.rlhf4j.core.reward.RewardInput;
import org.rlhf4j.core.rollout.FinishReason;

/** A user's RewardFunction on the test classpath is found by class name and by its ServiceLoader name. */
class RewardFunctionLoadingTest {

    private static RewardInput input(String response) {
        return new RewardInput("p", response, new int[] {1}, new int[] {2, 3}, FinishReason.EOS, null, List.of(),
                null, Map.of());
    }

    @Test
    void byClassNameAndByRegisteredName() {
        List<RewardInput> batch = List.of(input("xyz"), input("abc"));
        RewardFunction byClass = RewardFunctions.load(StartsWithReward.class.getName(), Map.of("prefix", "x"));
        assertInstanceOf(StartsWithReward.class, byClass);
        assertArrayEquals(new double[] {1, 0}, byClass.score(batch));
        RewardFunction byName = RewardFunctions.load("starts_with", Map.of());
        assertArrayEquals(new double[] {0, 1}, byName.score(batch));
    }

    @Test
    void unknownNamesAndOptionsAreErrors() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RewardFunctions.load("com.example.Missing", Map.of()));
        assertTrue(e.getMessage().contains("starts_with"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> RewardFunctions.load("starts_with", Map.of("prefx", "a")));
        assertTrue(e.getMessage().contains("known options: prefix"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> RewardFunctions.load("java.lang.String", Map.of()));
        assertTrue(e.getMessage().contains("does not implement"), e.getMessage());
    }

    @Test
    void builtInRules() {
        List<RewardInput> batch = List.of(
                new RewardInput("2+2", " 4 ", new int[] {1}, new int[] {5, 6, 7}, FinishReason.EOS, null, List.of(),
                        "4", Map.of()),
                new RewardInput("2+3", "six", new int[] {1}, new int[] {5}, FinishReason.EOS, null, List.of(), "5",
                        Map.of()));
        assertArrayEquals(new double[] {1, 0}, RewardFunctions.load("exact_answer", Map.of()).score(batch));
        assertArrayEquals(new double[] {0, 2}, RewardFunctions.load("regex",
                Map.of("pattern", "^[a-z]+$", "match", 2.0)).score(batch));
        // 3 tokens, 1 free: -0.5 * 2 = -1; 1 token: 0
        assertArrayEquals(new double[] {-1, 0}, RewardFunctions.load("length_penalty",
                Map.of("per_token", 0.5, "free_tokens", 1)).score(batch));
    }
}
