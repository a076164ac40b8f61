package org.rlhf4j.core.rollout;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import java.util.List;
import org.rlhf4j.core.model.AttentionMask;
import org.rlhf4j.core.model.LlamaModel;
import org.rlhf4j.core.model.LmHeadLogps;
import org.rlhf4j.core.ops.RightPadded;
import org.rlhf4j.core.tokenizer.Tokenizer;

/**
 * Scores a {@link RolloutBatch} with any model that shares the policy's tokenizer: per-token
 * log-probs and entropies (policy, reference), per-token values (critic), one scalar per row
 * (reward model). Every model reads the batch's own id, mask and position arrays; nothing is
 * re-tokenized or copied per model.
 *
 * <p>Per-token results are (B, A) float32, aligned with {@link RolloutBatch#responseMask}: entry
 * {@code t} comes from the model's output at column {@code P + t - 1}, the state before response
 * token {@code t}, and pads are 0.
 *
 * <p>Graphs: outside a gradient collector (grad mode off, as on the thread that loaded the
 * engine) no autograd graph is built, the intermediates are released before returning and only
 * the results are attached to {@code manager}. Inside a collector (the PPO and DPO training
 * forward) the graph is built, the intermediates stay alive in a sub-manager of {@code manager}
 * for backward, and the results are attached to {@code manager}; close it after backward.
 */
public final class RolloutScorer {

    private RolloutScorer() {}

    /** Per-token log-probs and entropies, (B, A) float32 each. */
    public record PolicyScores(NDArray logps, NDArray entropy) {}

    /**
     * {@code log_softmax(logits / temperature)} at each response token, (B, A) float32, 0 at pads.
     * With the rollout's {@link RolloutBatch#temperature} this recomputes {@link RolloutBatch#logps}.
     */
    public static NDArray logps(LlamaModel model, RolloutBatch batch, double temperature, NDManager manager) {
        return scoreTokens(model, batch, temperature, false, manager).logps();
    }

    /**
     * Log-probs as {@link #logps} and the entropy {@code -sum_v p_v log p_v} of the same
     * temperature-scaled next-token distribution at each response position, (B, A) each.
     */
    public static PolicyScores logpsAndEntropy(LlamaModel model, RolloutBatch batch, double temperature,
            NDManager manager) {
        return scoreTokens(model, batch, temperature, true, manager);
    }

    /**
     * A critic's values {@code V(s_t)}: its scalar head at the position before each response
     * token, (B, A) float32, 0 at pads.
     */
    public static NDArray values(LlamaModel valueModel, RolloutBatch batch, NDManager manager) {
        return scoped(manager, call -> {
            NDArray hidden = responseHidden(valueModel, batch, call); // (B, A, D)
            NDArray values = valueModel.scores(hidden).toType(DataType.FLOAT32, false); // (B, A)
            return new NDArray[] {values.mul(view(batch.responseMask(), call))};
        })[0];
    }

    /** A reward model's score of each whole sequence: its scalar head at the last real token, (B) float32. */
    public static NDArray rewards(LlamaModel rewardModel, RolloutBatch batch, NDManager manager) {
        return scoped(manager, call -> {
            NDArray mask = view(batch.attentionMask(), call); // (B, T)
            NDArray hidden = rewardModel.hidden(view(batch.ids(), call), view(batch.positionIds(), call),
                    AttentionMask.bias(mask, batch.totalLength(), rewardModel.config().effectiveSlidingWindow()),
                    null); // (B, T, D)
            return new NDArray[] {rewardModel.lastTokenScores(hidden, mask).toType(DataType.FLOAT32, false)};
        })[0];
    }

    /**
     * A reward model with a tokenizer of its own scores texts (e.g. {@link RolloutBatch#texts}),
     * tokenized by {@code tokenizer} without added special tokens and right-padded, (B) float32.
     */
    public static NDArray rewards(LlamaModel rewardModel, Tokenizer tokenizer, List<String> texts,
            NDManager manager) {
        List<int[]> encoded = texts.stream().map(tokenizer::encode).toList();
        RightPadded padded = RightPadded.of(encoded, 0, 1);
        return scoped(manager, call -> {
            NDArray idArray = padded.idArray(call); // (B, T')
            NDArray maskArray = padded.maskArray(call); // (B, T')
            NDArray hidden = rewardModel.hidden(idArray, maskArray); // (B, T', D)
            return new NDArray[] {rewardModel.lastTokenScores(hidden, maskArray).toType(DataType.FLOAT32, false)};
        })[0];
    }

    private static PolicyScores scoreTokens(LlamaModel model, RolloutBatch batch, double temperature,
            boolean entropy, NDManager manager) {
        if (!(temperature > 0)) {
            throw new IllegalArgumentException("scoring temperature must be > 0 (1 for greedy rollouts), got "
                    + temperature);
        }
        NDArray[] out = scoped(manager, call -> {
            NDArray hidden = responseHidden(model, batch, call); // (B, A, D)
            NDArray responseMask = view(batch.responseMask(), call); // (B, A)
            NDArray targets = view(batch.ids(), call)
                    .get(new NDIndex(":, {}:", batch.promptLength())); // (B, A)
            // the head in chunks of the run's logits_chunk_tokens: (B, A, V) logits never exist at once
            LmHeadLogps.Scores scores = LmHeadLogps.of(model, hidden, targets, temperature, entropy);
            NDArray logps = scores.logps().mul(responseMask); // (B, A)
            if (!entropy) {
                return new NDArray[] {logps};
            }
            return new NDArray[] {logps, scores.entropy().mul(responseMask)};
        });
        return new PolicyScores(out[0], entropy ? out[1] : null);
    }

    /** Final hidden states at the positions that predict the response tokens, (B, A, D). */
    private static NDArray responseHidden(LlamaModel model, RolloutBatch batch, NDManager call) {
        NDArray mask = view(batch.attentionMask(), call); // (B, T)
        int t = batch.totalLength();
        NDArray bias = AttentionMask.bias(mask, t, model.config().effectiveSlidingWindow()); // (B, 1, T, T)
        NDArray hidden = model.hidden(view(batch.ids(), call), view(batch.positionIds(), call), bias,
                null); // (B, T, D)
        int p = batch.promptLength();
        return hidden.get(new NDIndex(":, {}:{}, :", p - 1, t - 1)); // (B, A, D)
    }

    /**
     * A new handle on {@code array}'s data (no copy) owned by {@code call}, so that the forward
     * pass's intermediates, which belong to their first operand's manager, land in {@code call}
     * and not in the batch's manager.
     */
    private static NDArray view(NDArray array, NDManager call) {
        NDArray view = array.reshape(array.getShape());
        view.attach(call);
        return view;
    }

    private interface Forward {
        NDArray[] run(NDManager call);
    }

    /**
     * Runs {@code forward} in a sub-manager of {@code manager} and attaches its results to
     * {@code manager}; the sub-manager is closed unless an autograd graph is being recorded
     * (grad mode on: inside a gradient collector), whose backward still needs the intermediates.
     */
    private static NDArray[] scoped(NDManager manager, Forward forward) {
        NDManager call = manager.newSubManager();
        NDArray[] results;
        try {
            results = forward.run(call);
            for (NDArray r : results) {
                r.attach(manager);
            }
        } catch (RuntimeException e) {
            call.close();
            throw e;
        }
        if (!JniUtils.isGradMode()) {
            call.close();
        }
        return results;
    }
}
