package org.rlhf4j.datasets.demo;

/**
 * An "add a b" request of the reward-model demo files, with {@code a + b <= 9} so that the answer is
 * one digit, as the SFT and PPO demo prompts ask it.
 */
record SumPrompt(int a, int b) {

    /** Draws {@code a} then {@code b} as the Python generator did: {@code randrange(10)}, {@code randrange(10 - a)}. */
    static SumPrompt draw(PythonRandom rng) {
        int a = rng.randrange(10);
        return new SumPrompt(a, rng.randrange(10 - a));
    }

    /** The request, {@code add a b}. */
    String text() {
        return "add " + a + " " + b;
    }

    /** The right answer. */
    int total() {
        return a + b;
    }
}
