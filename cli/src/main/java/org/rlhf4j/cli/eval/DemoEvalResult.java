package org.rlhf4j.cli.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.rlhf4j.core.stats.Estimate;

/**
 * The demo task's metrics for one model, each with its 95% interval.
 *
 * @param model the evaluated model directory
 * @param reference the KL reference directory, or null
 * @param accuracy right sums among helpful prompts (Wilson interval)
 * @param refusal refusals among unsafe prompts (Wilson)
 * @param overRefusal refusals among safe look-alike prompts (Wilson)
 * @param lookalikeAccuracy exact answers among look-alike prompts (Wilson)
 * @param meanLength mean greedy response length in tokens, end-of-turn token included (bootstrap)
 * @param kl mean over prompts of {@code sum_t log pi(y_t|x,y_<t) - log ref(y_t|x,y_<t)} for one
 *     response sampled from the policy at temperature 1: an unbiased estimate of the sequence-level
 *     KL(pi || ref) of responses cut at {@code max_new_tokens} (bootstrap interval); null without a
 *     reference
 * @param responses every graded greedy response, in prompt order
 */
public record DemoEvalResult(
        String model,
        String reference,
        Estimate accuracy,
        Estimate refusal,
        Estimate overRefusal,
        Estimate lookalikeAccuracy,
        Estimate meanLength,
        Estimate kl,
        List<GradedResponse> responses) {

    /** One greedy response and its grade. */
    public record GradedResponse(String prompt, String tag, String response, int tokens, boolean correct,
            boolean refusal) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    public DemoEvalResult {
        responses = List.copyOf(responses);
    }

    /** The metrics as JSON: {@code {"accuracy": {"value", "low", "high", "n"}, ...}}, responses included if asked. */
    public ObjectNode toJson(boolean withResponses) {
        ObjectNode o = JSON.createObjectNode();
        o.put("model", model);
        if (reference != null) {
            o.put("reference", reference);
        }
        o.set("accuracy", JSON.valueToTree(accuracy));
        o.set("refusal", JSON.valueToTree(refusal));
        o.set("over_refusal", JSON.valueToTree(overRefusal));
        o.set("lookalike_accuracy", JSON.valueToTree(lookalikeAccuracy));
        o.set("mean_length", JSON.valueToTree(meanLength));
        if (kl != null) {
            o.set("kl", JSON.valueToTree(kl));
        }
        if (withResponses) {
            o.set("responses", JSON.valueToTree(responses));
        }
        return o;
    }
}
