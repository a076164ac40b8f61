package org.rlhf4j.ppo;

/**
 * Generalised advantage estimation (Schulman et al. 2016, eq. 16) over response tokens:
 * {@code delta_t = r_t + gamma * V(s_next) - V(s_t)}, {@code A_t = delta_t + gamma * lambda * A_next},
 * returns {@code R_t = A_t + V(s_t)}. "Next" is the next <em>unmasked</em> token of the row, so
 * masked tokens (pads) neither receive an advantage (0) nor pass one on; after the last valid token
 * the value is 0 (the episode ends with the response).
 */
public final class Gae {

    private Gae() {}

    /**
     * Advantages and returns, (B, A) each, 0 at masked tokens.
     *
     * @param advantages {@code A_t}
     * @param returns {@code A_t + V(s_t)}, the critic's regression targets
     */
    public record Advantages(double[][] advantages, double[][] returns) {}

    /**
     * @param rewards (B, A) per-token rewards
     * @param values (B, A) critic values {@code V(s_t)} at rollout time
     * @param mask (B, A) 1 at response tokens, 0 at pads
     */
    public static Advantages compute(double[][] rewards, double[][] values, double[][] mask, double gamma,
            double lambda) {
        int b = rewards.length;
        double[][] advantages = new double[b][];
        double[][] returns = new double[b][];
        for (int row = 0; row < b; row++) {
            int a = rewards[row].length;
            advantages[row] = new double[a];
            returns[row] = new double[a];
            double nextValue = 0;
            double nextAdvantage = 0;
            for (int t = a - 1; t >= 0; t--) {
                if (mask[row][t] == 0) {
                    continue;
                }
                double delta = rewards[row][t] + gamma * nextValue - values[row][t];
                double advantage = delta + gamma * lambda * nextAdvantage;
                advantages[row][t] = advantage;
                returns[row][t] = advantage + values[row][t];
                nextValue = values[row][t];
                nextAdvantage = advantage;
            }
        }
        return new Advantages(advantages, returns);
    }
}
