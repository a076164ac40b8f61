package org.rlhf4j.dpo;

import ai.djl.ndarray.NDArray;
import org.rlhf4j.core.ops.LogSigmoid;
import org.rlhf4j.core.ops.Scalars;

/**
 * The DPO family of preference losses, as pure functions of the policy's and the reference's
 * sequence log-probs of the chosen and rejected responses (TRL's formulas). With
 *
 * <pre>
 * m = (pi_c - pi_r) - (ref_c - ref_r)          the implicit reward margin, beta left out
 * </pre>
 *
 * <ul>
 *   <li>{@link Type#SIGMOID} (DPO, Rafailov et al. 2023, eq. 7; with label smoothing cDPO):
 *       {@code -logsig(beta m) (1 - ls) - logsig(-beta m) ls}
 *   <li>{@link Type#ROBUST} (rDPO, Chowdhury et al. 2024, eq. 7):
 *       {@code (-logsig(beta m) (1 - ls) + logsig(-beta m) ls) / (1 - 2 ls)}
 *   <li>{@link Type#HINGE} (SLiC, Zhao et al. 2023): {@code relu(1 - beta m)}
 *   <li>{@link Type#IPO} (Azar et al. 2023, eq. 17): {@code (m - 1 / (2 beta))^2}; IPO is meant
 *       for per-token average log-probs, which the caller passes (as TRL does)
 * </ul>
 *
 * <p>Each returns the per-pair losses and the implicit rewards {@code beta (pi - ref)} of each
 * side; the mean over the batch is the caller's (so that gradient accumulation can divide by
 * the pairs of the whole step). {@link #rpoNll} is RPO's extra term (Pang et al. 2024): the
 * chosen response's negative log-likelihood per token, against likelihood displacement.
 *
 * <p>All inputs are (B) float32; scalars enter as arrays made with {@code manager.full} (a
 * Java-number {@code mul} would corrupt the gradient, DJL-NOTES item 2).
 */
public final class DpoLoss {

    private DpoLoss() {}

    /** The loss variant, {@code dpo.loss_type} in the config. */
    public enum Type {
        SIGMOID("sigmoid"),
        IPO("ipo"),
        HINGE("hinge"),
        ROBUST("robust");

        private final String configName;

        Type(String configName) {
            this.configName = configName;
        }

        public String configName() {
            return configName;
        }

        /** Whether {@code dpo.label_smoothing} means anything for this loss. */
        public boolean usesLabelSmoothing() {
            return this == SIGMOID || this == ROBUST;
        }

        /** The type named {@code name} ({@code sigmoid}, {@code ipo}, {@code hinge}, {@code robust}). */
        public static Type fromName(String name) {
            for (Type t : values()) {
                if (t.configName.equals(name)) {
                    return t;
                }
            }
            throw new IllegalArgumentException("dpo.loss_type must be sigmoid, ipo, hinge or robust, got '" + name + "'");
        }
    }

    /**
     * One batch's losses.
     *
     * @param losses (B) float32, the loss of each pair; mean (or sum / pairs of the step) it
     * @param chosenRewards (B) float32 {@code beta (pi_c - ref_c)}, no gradient needed but kept in the graph
     * @param rejectedRewards (B) float32 {@code beta (pi_r - ref_r)}
     */
    public record Result(NDArray losses, NDArray chosenRewards, NDArray rejectedRewards) {}

    /**
     * The loss of {@code type}.
     *
     * @param policy the policy's log-probs, (B) chosen and (B) rejected, in the graph
     * @param reference the reference's log-probs, same shapes, constants
     * @param beta the inverse temperature of the implicit reward, > 0
     * @param labelSmoothing the assumed share of flipped labels, in [0, 0.5); only sigmoid and robust use it
     */
    public static Result of(Type type, SequenceLogps policy, SequenceLogps reference, double beta,
            double labelSmoothing) {
        NDArray pc = policy.chosen();
        NDArray pr = policy.rejected();
        NDArray rc = reference.chosen();
        NDArray rr = reference.rejected();
        return switch (type) {
            case SIGMOID -> sigmoid(pc, pr, rc, rr, beta, labelSmoothing);
            case IPO -> ipo(pc, pr, rc, rr, beta);
            case HINGE -> hinge(pc, pr, rc, rr, beta);
            case ROBUST -> robust(pc, pr, rc, rr, beta, labelSmoothing);
        };
    }

    /** DPO's {@code -logsig(beta m) (1 - ls) - logsig(-beta m) ls}, per pair. */
    public static Result sigmoid(NDArray policyChosen, NDArray policyRejected, NDArray referenceChosen,
            NDArray referenceRejected, double beta, double labelSmoothing) {
        checkBeta(beta);
        checkSmoothing(labelSmoothing);
        NDArray logits = margin(policyChosen, policyRejected, referenceChosen, referenceRejected)
                .mul(Scalars.like(policyChosen, beta)); // (B) beta m
        NDArray losses = LogSigmoid.of(logits).mul(Scalars.like(logits, -(1 - labelSmoothing))) // (B)
                .sub(LogSigmoid.of(logits.neg()).mul(Scalars.like(logits, labelSmoothing)));
        return withRewards(losses, policyChosen, policyRejected, referenceChosen, referenceRejected, beta);
    }

    /** Robust DPO's {@code (-logsig(beta m) (1 - ls) + logsig(-beta m) ls) / (1 - 2 ls)}, per pair. */
    public static Result robust(NDArray policyChosen, NDArray policyRejected, NDArray referenceChosen,
            NDArray referenceRejected, double beta, double labelSmoothing) {
        checkBeta(beta);
        checkSmoothing(labelSmoothing);
        NDArray logits = margin(policyChosen, policyRejected, referenceChosen, referenceRejected)
                .mul(Scalars.like(policyChosen, beta)); // (B) beta m
        NDArray numerator = LogSigmoid.of(logits).mul(Scalars.like(logits, -(1 - labelSmoothing))) // (B)
                .add(LogSigmoid.of(logits.neg()).mul(Scalars.like(logits, labelSmoothing)));
        NDArray losses = numerator.div(Scalars.like(logits, 1 - 2 * labelSmoothing)); // (B)
        return withRewards(losses, policyChosen, policyRejected, referenceChosen, referenceRejected, beta);
    }

    /** SLiC's hinge {@code relu(1 - beta m)}, per pair. */
    public static Result hinge(NDArray policyChosen, NDArray policyRejected, NDArray referenceChosen,
            NDArray referenceRejected, double beta) {
        checkBeta(beta);
        NDArray logits = margin(policyChosen, policyRejected, referenceChosen, referenceRejected)
                .mul(Scalars.like(policyChosen, beta)); // (B) beta m
        NDArray losses = logits.neg().add(1).maximum(Scalars.like(logits, 0)); // (B)
        return withRewards(losses, policyChosen, policyRejected, referenceChosen, referenceRejected, beta);
    }

    /** IPO's {@code (m - 1 / (2 beta))^2}, per pair; pass per-token average log-probs. */
    public static Result ipo(NDArray policyChosen, NDArray policyRejected, NDArray referenceChosen,
            NDArray referenceRejected, double beta) {
        checkBeta(beta);
        NDArray m = margin(policyChosen, policyRejected, referenceChosen, referenceRejected); // (B)
        NDArray losses = m.sub(1 / (2 * beta)).square(); // (B)
        return withRewards(losses, policyChosen, policyRejected, referenceChosen, referenceRejected, beta);
    }

    /**
     * RPO's negative log-likelihood of the chosen responses, per token: {@code -sum(pi_c) / tokens},
     * () float32.
     *
     * @param policyChosen (B) the policy's summed (not averaged) log-probs of the chosen responses
     * @param tokens chosen response tokens to divide by: those of the whole accumulated step, > 0
     */
    public static NDArray rpoNll(NDArray policyChosen, long tokens) {
        if (tokens < 1) {
            throw new IllegalArgumentException("token count must be >= 1, got " + tokens);
        }
        return policyChosen.sum().neg().div(Scalars.like(policyChosen, tokens)); // ()
    }

    private static NDArray margin(NDArray pc, NDArray pr, NDArray rc, NDArray rr) {
        return pc.sub(pr).sub(rc.sub(rr)); // (B)
    }

    private static Result withRewards(NDArray losses, NDArray pc, NDArray pr, NDArray rc, NDArray rr, double beta) {
        NDArray b = Scalars.like(losses, beta);
        return new Result(losses, pc.sub(rc).mul(b), pr.sub(rr).mul(b));
    }

    private static void checkBeta(double beta) {
        if (!(beta > 0) || Double.isInfinite(beta)) {
            throw new IllegalArgumentException("dpo.beta must be finite and > 0, got " + beta);
        }
    }

    private static void checkSmoothing(double labelSmoothing) {
        if (!(labelSmoothing >= 0 && labelSmoothing < 0.5)) {
            throw new IllegalArgumentException("dpo.label_smoothing must be in [0, 0.5), got " + labelSmoothing);
        }
    }
}
