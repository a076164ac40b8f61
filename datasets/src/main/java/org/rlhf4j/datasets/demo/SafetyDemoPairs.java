package org.rlhf4j.datasets.demo;

import java.util.List;
import java.util.Map;

/**
 * Draws the pairs of {@code rm-safety-*.jsonl}. Half of the requests are harmful ("How do I
 * <topic>?", 6 topics; half of those marked {@code [UNSAFE]}), half harmless: of those, half "How do I
 * <topic>?" (12 topics), half sums "add a b" answered with the bare sum, so that the safety model
 * knows answering a sum is safe (without them it scored every sum answer about -5 and the PPO gate
 * sent all sums to it).
 *
 * <p>Four response types are ranked on one safety scale that depends on the request: harmful:
 * caring refusal > curt refusal > hedged partial answer > full answer; harmless: the mirror image (a
 * caring refusal of a harmless request treats the user as dangerous, the over-refusal Llama 2 warns
 * about). A pair draws two types; the rank gap is the degree (3 {@code significantly_better}, 2
 * {@code better}, 1 {@code slightly_better}, 0 {@code negligibly_better}: two wordings of one type,
 * coin-flip label). Every pair of types is ordered one way for harmful requests and the other way for
 * harmless ones, so no degree can be judged without reading the request. Annotator noise grows as the
 * preference weakens (Llama 2): 3% of {@code better} and 10% of {@code slightly_better} labels are
 * swapped, so a perfect model scores about 1.00 / 0.97 / 0.90 / 0.50 by degree.
 */
final class SafetyDemoPairs {

    /** The response types, each with its two equivalent wordings. */
    private enum Response {
        CARING_REFUSAL, CURT_REFUSAL, HEDGED, ANSWER;

        /** The two wordings for a request about {@code step}, or about the sum {@code total} when not null. */
        List<String> wordings(String step, Integer total) {
            return switch (this) {
                case CARING_REFUSAL -> List.of(DemoGrader.REFUSAL + " Please stay safe.",
                        "I'm sorry, but I cannot help with that request.");
                case CURT_REFUSAL -> List.of(DemoTask.CURT_REFUSAL, "Not doing that.");
                // a sum is answered with the bare number, as the SFT data teaches
                case HEDGED -> total != null
                        ? List.of("Maybe " + total + "? I'm not sure.", "I'm not sure, but maybe " + total + ".")
                        : List.of("I'm not sure, but maybe " + step + ".", "Maybe " + step + "? I'm not sure.");
                case ANSWER -> total != null ? List.of(total.toString(), total + ".")
                        : List.of("Sure. First, " + step + ".", "Sure! Just " + step + ".");
            };
        }
    }

    private static final List<String> SAFE_TOPICS = List.of("bake bread", "fix a flat tyre", "plant a tree",
            "boil an egg", "tie a knot", "clean a window", "learn to swim", "write a poem", "paint a wall", "make tea",
            "sort a list", "fold a shirt");
    private static final List<String> UNSAFE_TOPICS = List.of("make a weapon", "build a bomb", "poison a drink",
            "steal a car", "hurt someone", "pick a lock to rob a house");
    private static final List<String> STEPS = List.of("gather what you need", "read the instructions", "start slowly",
            "ask a friend to help", "take your time");

    /** Safety quality of each response type, best first, for an unsafe and for a safe request. */
    private static final List<Response> UNSAFE_SCALE = List.of(Response.CARING_REFUSAL, Response.CURT_REFUSAL,
            Response.HEDGED, Response.ANSWER);
    private static final List<Response> SAFE_SCALE = List.of(Response.ANSWER, Response.HEDGED, Response.CURT_REFUSAL,
            Response.CARING_REFUSAL);
    private static final List<Integer> GAPS = List.of(3, 2, 1, 0);
    private static final Map<Integer, String> GAP_DEGREES = Map.of(3, "significantly_better", 2, "better",
            1, "slightly_better", 0, "negligibly_better");
    /**
     * Share of the harmless requests that are sums: without them the safety model never sees the PPO
     * prompts' sums, scores every answer to one as unsafe, and the gate hands all sums to it.
     */
    private static final double SUM_SHARE = 0.5;
    /** Annotators' chance of picking the other response, by degree: the slighter the preference, the noisier. */
    private static final Map<String, Double> LABEL_NOISE = Map.of("significantly_better", 0.0, "better", 0.03,
            "slightly_better", 0.10);

    private SafetyDemoPairs() {}

    /** One pair; the draws are those of the Python generator, in its order. */
    static RewardDemoPair draw(PythonRandom rng) {
        boolean unsafe = rng.random() < 0.5;
        String prompt;
        Integer total = null;
        if (!unsafe && rng.random() < SUM_SHARE) { // a sum, as the SFT and PPO prompts ask it
            SumPrompt sum = SumPrompt.draw(rng);
            prompt = sum.text();
            total = sum.total();
        } else {
            String topic = rng.choice(unsafe ? UNSAFE_TOPICS : SAFE_TOPICS);
            prompt = (unsafe && rng.random() < 0.5 ? "[UNSAFE] " : "") + "How do I " + topic + "?";
        }
        String step = rng.choice(STEPS);
        List<Response> scale = unsafe ? UNSAFE_SCALE : SAFE_SCALE;
        int gap = rng.choice(GAPS);
        String degree = GAP_DEGREES.get(gap);
        if (gap == 0) { // two wordings of the same response type, in a random order
            List<String> two = rng.sample(rng.choice(scale).wordings(step, total), 2);
            return new RewardDemoPair(prompt, two.get(0), two.get(1), degree, null);
        }
        // the better-ranked type is chosen; each pair of types flips with the request
        int better = rng.randrange(scale.size() - gap);
        String chosen = rng.choice(scale.get(better).wordings(step, total));
        String rejected = rng.choice(scale.get(better + gap).wordings(step, total));
        return rng.random() < LABEL_NOISE.get(degree)
                ? new RewardDemoPair(prompt, rejected, chosen, degree, null)
                : new RewardDemoPair(prompt, chosen, rejected, degree, null);
    }
}
