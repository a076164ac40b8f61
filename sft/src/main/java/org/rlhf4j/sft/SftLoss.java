package org.rlhf4j.sft;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import org.rlhf4j.core.model.LlamaModel;
import org.rlhf4j.core.model.LmHeadLogps;
import org.rlhf4j.core.model.TokenLogps;
import org.rlhf4j.core.ops.MaskedReductions;

/**
 * The masked causal-LM loss of supervised fine-tuning (and, with every token a target, of
 * pretraining): the negative log-likelihood of each target token given the tokens before it,
 * summed over the target tokens and divided by a normaliser the caller chooses.
 *
 * <pre>
 * loss = -(1 / N) * sum_{b, t >= 1} mask[b, t] * log softmax(logits[b, t - 1])[ids[b, t]]
 * </pre>
 *
 * <p>N is the number of target tokens in the whole accumulated batch (all micro-batches of one
 * optimizer step), not of the micro-batch, so that {@code grad_accum} 4 x {@code batch_size} 2
 * gives the gradient of one batch of 8, and every target token weighs the same whatever row or
 * micro-batch it sits in (TRL's {@code num_items_in_batch} normalisation).
 */
public final class SftLoss {

    private static final NDIndex ALL_BUT_LAST = new NDIndex(":, :-1, :");
    private static final NDIndex ALL_BUT_FIRST = new NDIndex(":, 1:");

    private SftLoss() {}

    /**
     * @param loss () float32, the summed negative log-likelihood divided by the normaliser; the
     *     value to call {@code backward} on
     * @param nll () float32, the summed negative log-likelihood of the target tokens (no normaliser)
     */
    public record Result(NDArray loss, NDArray nll) {}

    /**
     * The loss of one (micro-)batch.
     *
     * @param logits (B, T, V) next-token logits, any floating dtype (log-softmax runs in float32)
     * @param ids (B, T) token ids; position t is predicted from logits at t - 1
     * @param targetMask (B, T) float32, 1 where {@code ids[b, t]} is a target (0 at padding,
     *     prompts and each sequence's first token)
     * @param normaliser N > 0, the number of target tokens of the whole accumulated batch
     */
    public static Result of(NDArray logits, NDArray ids, NDArray targetMask, float normaliser) {
        NDArray predicting = logits.get(ALL_BUT_LAST); // (B, T-1, V)
        NDArray targets = ids.get(ALL_BUT_FIRST); // (B, T-1)
        return ofLogps(TokenLogps.of(predicting, targets), targetMask, normaliser);
    }

    /**
     * The loss of one (micro-)batch from {@code model}'s final hidden states (B, T, D), through
     * its LM head in chunks ({@link LmHeadLogps}): the same value as {@link #of} on the logits,
     * without the (B, T, V) logits existing at once when the run chunks the head.
     */
    public static Result of(LlamaModel model, NDArray hidden, NDArray ids, NDArray targetMask, float normaliser) {
        return ofLogps(LmHeadLogps.nextTokenLogps(model, hidden, ids), targetMask, normaliser); // (B, T-1) float32
    }

    /** The loss from the log-probs (B, T-1) of ids[:, 1:], float32. */
    private static Result ofLogps(NDArray logps, NDArray targetMask, float normaliser) {
        NDArray mask = targetMask.get(ALL_BUT_FIRST).toType(DataType.FLOAT32, false); // (B, T-1)
        NDArray nll = MaskedReductions.sum(logps, mask).neg(); // ()
        return new Result(MaskedReductions.normalised(nll, normaliser), nll);
    }
}
