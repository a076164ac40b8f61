package org.rlhf4j.reward;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.rlhf4j.core.ops.LogSigmoid;
import org.rlhf4j.core.ops.MaskedReductions;
import org.rlhf4j.core.ops.Scalars;

/**
 * The pairwise losses of reward-model training, as pure functions of the two scores of each pair.
 * Each returns the per-pair loss and its sum divided by a normaliser N that the caller chooses:
 * the number of pairs in the whole accumulated batch, so that {@code grad_accum} 4 x
 * {@code batch_size} 2 gives the gradient of one batch of 8 (as in {@code SftLoss}).
 *
 * <p>Ranking (Llama 2-Chat, Touvron et al. 2023, sec. 3.2.2, with TRL's optional centering term):
 * <pre>
 * l_i = -log sigmoid(r_c - r_r - m) + c * (r_c + r_r)^2
 * </pre>
 * Focal ranking with a log-barrier (the InternLM2 technical report, Cai et al. 2024, reward model):
 * <pre>
 * P   = sigmoid(r_c - r_r)
 * l_i = -(1 - 2 max(0, P - 1/2))^gamma log P  -  lambda [log(b - r_c) + log(r_c + b) + log(b - r_r) + log(r_r + b)]
 * </pre>
 * The focal weight is not detached (it is part of the loss, as in focal loss). The barrier's
 * arguments are floored at {@value #BARRIER_FLOOR} so that a score that jumped past the bound
 * gives a large finite loss instead of NaN.
 *
 * <p>Everything runs in float32; constants are torch-owned scalars (never {@code mul(Number)},
 * which corrupts gradients, DJL-NOTES item 2).
 */
public final class RewardLoss {

    /** Smallest argument of the barrier's logarithms. */
    public static final float BARRIER_FLOOR = 1e-6f;

    private RewardLoss() {}

    /**
     * @param loss () float32, sum of {@code perPair} divided by the normaliser; call {@code backward} on it
     * @param perPair (B) float32, the loss of each pair
     */
    public record Result(NDArray loss, NDArray perPair) {}

    /**
     * Llama 2-Chat's binary ranking loss with margin, plus TRL's centering term.
     *
     * @param chosen (B) scores r_c of the chosen responses
     * @param rejected (B) scores r_r of the rejected responses
     * @param margin (B) float32 margins m (0 for none)
     * @param centerCoefficient c, 0 for no centering
     * @param normaliser N > 0
     */
    public static Result ranking(NDArray chosen, NDArray rejected, NDArray margin, double centerCoefficient,
            float normaliser) {
        NDManager m = chosen.getManager();
        NDArray rc = chosen.toType(DataType.FLOAT32, false); // (B)
        NDArray rr = rejected.toType(DataType.FLOAT32, false); // (B)
        NDArray perPair = LogSigmoid.negative(rc.sub(rr).sub(margin)); // (B)
        if (centerCoefficient != 0) {
            NDArray center = rc.add(rr).square().mul(Scalars.of(m, centerCoefficient)); // (B)
            perPair = perPair.add(center);
        }
        return new Result(MaskedReductions.normalised(perPair.sum(), normaliser), perPair);
    }

    /**
     * InternLM2's focal ranking loss with the log-barrier on both scores.
     *
     * @param chosen (B) r_c
     * @param rejected (B) r_r
     * @param gamma the focal exponent (2 in InternLM2)
     * @param barrierLambda lambda (0.01 in InternLM2); 0 turns the barrier off
     * @param bound b: the barrier keeps scores inside (-b, b) (5 in InternLM2)
     * @param normaliser N > 0
     */
    public static Result focal(NDArray chosen, NDArray rejected, double gamma, double barrierLambda, double bound,
            float normaliser) {
        NDManager m = chosen.getManager();
        NDArray rc = chosen.toType(DataType.FLOAT32, false); // (B)
        NDArray rr = rejected.toType(DataType.FLOAT32, false); // (B)
        NDArray diff = rc.sub(rr); // (B)
        NDArray p = diff.getNDArrayInternal().sigmoid(); // (B) P = sigmoid(r_c - r_r)
        NDArray excess = p.sub(0.5f).maximum(Scalars.of(m, 0)); // (B) max(0, P - 1/2)
        NDArray weight = excess.mul(Scalars.of(m, 2)).neg().add(1f).pow(Scalars.of(m, gamma)); // (B) (1 - 2 max(0, P - 1/2))^gamma
        NDArray perPair = weight.mul(LogSigmoid.negative(diff)); // (B) -w log P
        if (barrierLambda != 0) {
            NDArray barrier = barrier(rc, bound).add(barrier(rr, bound)); // (B)
            perPair = perPair.add(barrier.mul(Scalars.of(m, barrierLambda)));
        }
        return new Result(MaskedReductions.normalised(perPair.sum(), normaliser), perPair);
    }

    /** {@code -[log(b - r) + log(r + b)]}, (B), arguments floored at {@link #BARRIER_FLOOR}. */
    private static NDArray barrier(NDArray r, double bound) {
        NDManager m = r.getManager();
        NDArray floor = Scalars.of(m, BARRIER_FLOOR);
        NDArray upper = r.neg().add((float) bound).maximum(floor).log(); // (B) log(b - r)
        NDArray lower = r.add((float) bound).maximum(floor).log(); // (B) log(r + b)
        return upper.add(lower).neg();
    }

}
