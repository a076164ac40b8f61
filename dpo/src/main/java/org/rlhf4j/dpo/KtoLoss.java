package org.rlhf4j.dpo;

import ai.djl.ndarray.NDArray;
import org.rlhf4j.core.ops.LogSigmoid;
import org.rlhf4j.core.ops.Scalars;

/**
 * KTO's loss (Ethayarajh et al. 2024, eq. 7; TRL's {@code KTOTrainer}) as pure functions of
 * arrays. Each example is one completion {@code y} of a prompt {@code x} with a label, desirable
 * or undesirable; with the implicit reward {@code r = log pi(y|x) - log ref(y|x)} and the
 * reference point {@code z0}:
 *
 * <pre>
 * desirable:   lambda_D (1 - sigmoid(beta (r - z0)))
 * undesirable: lambda_U (1 - sigmoid(beta (z0 - r)))
 * </pre>
 *
 * <p>{@code z0} estimates {@code KL(pi || ref)} from mismatched prompt-completion pairs
 * {@code (x_i, y_j)}, {@code j != i}: the mean of their {@code log pi - log ref}, clamped at 0
 * and not differentiated ({@link #referencePoint}). {@link #of} returns per-example losses; the
 * caller sums them and divides by the examples of the whole accumulated step, the convention of
 * {@code MaskedReductions}.
 */
public final class KtoLoss {

    private KtoLoss() {}

    /**
     * One batch's losses.
     *
     * @param losses (B) float32, the weighted loss of each example
     * @param rewards (B) float32 {@code beta (log pi - log ref)} of each completion
     */
    public record Result(NDArray losses, NDArray rewards) {}

    /**
     * The reference point {@code z0 = max(0, mean(policy - reference))} over the mismatched pairs
     * of a step; a Java number, so it carries no gradient.
     *
     * @param policy the policy's summed log-probs of the mismatched completions
     * @param reference the reference's log-probs of the same sequences
     * @throws IllegalArgumentException if the arrays are empty or differ in length
     */
    public static double referencePoint(float[] policy, float[] reference) {
        if (policy.length == 0 || policy.length != reference.length) {
            throw new IllegalArgumentException("KTO's KL estimate needs as many policy as reference log-probs, at"
                    + " least one; got " + policy.length + " and " + reference.length);
        }
        double sum = 0;
        for (int i = 0; i < policy.length; i++) {
            sum += (double) policy[i] - reference[i];
        }
        return Math.max(0, sum / policy.length);
    }

    /**
     * The per-example KTO losses.
     *
     * @param policy (B) the policy's summed log-probs of the completions, in the graph
     * @param reference (B) the reference's, constants
     * @param desirable (B) float32, 1 for a desirable completion and 0 for an undesirable one
     * @param referencePoint {@code z0} ({@link #referencePoint}), >= 0
     * @param beta > 0
     * @param desirableWeight lambda_D, >= 0
     * @param undesirableWeight lambda_U, >= 0
     */
    public static Result of(NDArray policy, NDArray reference, NDArray desirable, double referencePoint, double beta,
            double desirableWeight, double undesirableWeight) {
        if (!(beta > 0) || Double.isInfinite(beta)) {
            throw new IllegalArgumentException("dpo.beta must be finite and > 0, got " + beta);
        }
        checkWeight("dpo.desirable_weight", desirableWeight);
        checkWeight("dpo.undesirable_weight", undesirableWeight);
        if (!(referencePoint >= 0) || Double.isInfinite(referencePoint)) {
            throw new IllegalArgumentException("KTO's reference point must be finite and >= 0, got " + referencePoint);
        }
        NDArray rewards = policy.sub(reference).mul(Scalars.like(policy, beta)); // (B) beta r
        NDArray sign = desirable.mul(Scalars.like(desirable, 2)).sub(1); // (B) +1 desirable, -1 undesirable
        // 1 - sigmoid(s beta (r - z0)) = sigmoid(s beta (z0 - r)) = exp(logsig(.)), stable at any reward
        NDArray shortfall = LogSigmoid.of(sign.mul(Scalars.like(rewards, beta * referencePoint).sub(rewards))).exp();
        NDArray weights = desirable.mul(Scalars.like(desirable, desirableWeight - undesirableWeight))
                .add(undesirableWeight); // (B) lambda_D or lambda_U
        return new Result(shortfall.mul(weights), rewards);
    }

    private static void checkWeight(String key, double weight) {
        if (!(weight >= 0) || Double.isInfinite(weight)) {
            throw new IllegalArgumentException(key + " must be finite and >= 0, got " + weight);
        }
    }
}
