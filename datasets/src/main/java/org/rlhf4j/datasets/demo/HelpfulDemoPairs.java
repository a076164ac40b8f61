package org.rlhf4j.datasets.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Draws the pairs of {@code rm-helpful-*.jsonl}: for "add a b" the correct sum is preferred over a
 * wrong digit (uniform) or no answer, and the degree says how wrong the other answer is:
 * {@code significantly_better} = off by 3 or more or no answer, {@code better} = off by 2,
 * {@code slightly_better} = off by 1. 15% are {@code negligibly_better}: both correct, only the
 * format differs, and which one is "chosen" is a coin flip (as with annotators who barely prefer one).
 */
final class HelpfulDemoPairs {

    private static final String NO_ANSWER = "I don't know.";
    private static final double SAME_ANSWER_SHARE = 0.15;
    private static final double NO_ANSWER_SHARE = 0.1;

    private HelpfulDemoPairs() {}

    /** One pair; the draws are those of the Python generator, in its order. */
    static RewardDemoPair draw(PythonRandom rng) {
        SumPrompt sum = SumPrompt.draw(rng);
        int s = sum.total();
        if (rng.random() < SAME_ANSWER_SHARE) { // same answer, another format: a coin flip decides which is "chosen"
            List<String> pair = new ArrayList<>(List.of(Integer.toString(s), s + "."));
            rng.shuffle(pair);
            return new RewardDemoPair(sum.text(), pair.get(0), pair.get(1), "negligibly_better", null);
        }
        String rejected;
        int off;
        if (rng.random() < NO_ANSWER_SHARE) {
            rejected = NO_ANSWER;
            off = 9; // as wrong as an answer can be
        } else {
            int wrong = rng.choice(IntStream.range(0, 10).filter(w -> w != s).boxed().toList());
            rejected = Integer.toString(wrong);
            off = Math.abs(wrong - s);
        }
        String degree = off == 1 ? "slightly_better" : off == 2 ? "better" : "significantly_better";
        return new RewardDemoPair(sum.text(), Integer.toString(s), rejected, degree, null);
    }
}
