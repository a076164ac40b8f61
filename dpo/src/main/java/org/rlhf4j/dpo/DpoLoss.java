package org.rlhf4j.dpo;

import ai.djl.ndarray.NDArray;
import org.rlhf4j.core.ops.LogSigmoid;
import org.rlhf4j.core.ops.MaskedReductions;
import org.rlhf4j.core.ops.Scalars;

/**
 * The DPO family of paired preference losses, as pure functions of the policy's (and, where the
 * loss has one, the reference's) sequence log-probs of the chosen and rejected responses (TRL's
 * formulas). With
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
 *   <li>{@link Type#SIMPO} (Meng et al. 2024, eq. 6), reference-free, on per-token average
 *       log-probs {@code a_c, a_r}: {@code -logsig(beta (a_c - a_r) - gamma)} (with label
 *       smoothing as TRL's CPO trainer: {@code z = beta (a_c - a_r) - gamma},
 *       {@code -logsig(z) (1 - ls) - logsig(-z) ls}); rewards {@code beta a}
 *   <li>{@link Type#ORPO} (Hong et al. 2024, eqs. 4-7), reference-free, on per-token average
 *       log-probs: the odds-ratio term {@code -beta logsig(log odds(a_c) - log odds(a_r))} with
 *       {@code log odds(a) = a - log(1 - exp(a))}; {@code beta} is the paper's lambda, as in TRL.
 *       The SFT half of ORPO, the chosen response's NLL per token, is {@link #rpoNll} with weight
 *       1, added by the caller; rewards {@code beta a}
 * </ul>
 *
 * <p>KTO, the unpaired loss also selected by {@code dpo.loss_type}, is {@link KtoLoss}.
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
        ROBUST("robust"),
        SIMPO("simpo"),
        ORPO("orpo"),
        KTO("kto");

        private final String configName;

        Type(String configName) {
            this.configName = configName;
        }

        public String configName() {
            return configName;
        }

        /** Whether {@code dpo.label_smoothing} means anything for this loss. */
        public boolean usesLabelSmoothing() {
            return this == SIGMOID || this == ROBUST || this == SIMPO;
        }

        /** Whether the loss compares the policy with a reference model (SimPO and ORPO do not). */
        public boolean needsReference() {
            return this != SIMPO && this != ORPO;
        }

        /** Whether the loss reads preference pairs (KTO reads unpaired, labelled completions). */
        public boolean paired() {
            return this != KTO;
        }

        /** Whether log-probs are averaged over each response's tokens before the loss (as TRL does). */
        public boolean averagesLogps() {
            return this == IPO || this == SIMPO || this == ORPO;
        }

        /**
         * The type named {@code name} ({@code sigmoid}, {@code ipo}, {@code hinge}, {@code robust},
         * {@code simpo}, {@code orpo}, {@code kto}).
         */
        public static Type fromName(String name) {
            for (Type t : values()) {
                if (t.configName.equals(name)) {
                    return t;
                }
            }
            throw new IllegalArgumentException("dpo.loss_type must be sigmoid, ipo, hinge, robust, simpo, orpo or kto,"
                    + " got '" + name + "'");
        }
    }

    /**
     * One batch's losses.
     *
     * @param losses (B) float32, the loss of each pair; mean (or sum / pairs of the step) it
     * @param chosenRewards (B) float32 {@code beta (pi_c - ref_c)} ({@code beta a_c} for SimPO and ORPO), no
     *     gradient needed but kept in the graph
     * @param rejectedRewards (B) float32 {@code beta (pi_r - ref_r)} ({@code beta a_r} for SimPO and ORPO)
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
        return of(type, policy, reference, beta, labelSmoothing, 0);
    }

    /**
     * The loss of {@code type}, with SimPO's target margin.
     *
     * @param reference the reference's log-probs; not read by the reference-free SimPO and ORPO (may be null)
     * @param simpoGamma SimPO's target reward margin gamma (>= 0); ignored by the other losses
     * @throws IllegalArgumentException for {@link Type#KTO}, which is unpaired ({@link KtoLoss})
     */
    public static Result of(Type type, SequenceLogps policy, SequenceLogps reference, double beta,
            double labelSmoothing, double simpoGamma) {
        NDArray pc = policy.chosen();
        NDArray pr = policy.rejected();
        return switch (type) {
            case SIGMOID -> sigmoid(pc, pr, reference.chosen(), reference.rejected(), beta, labelSmoothing);
            case IPO -> ipo(pc, pr, reference.chosen(), reference.rejected(), beta);
            case HINGE -> hinge(pc, pr, reference.chosen(), reference.rejected(), beta);
            case ROBUST -> robust(pc, pr, reference.chosen(), reference.rejected(), beta, labelSmoothing);
            case SIMPO -> simpo(pc, pr, beta, simpoGamma, labelSmoothing);
            case ORPO -> orpo(pc, pr, beta);
            case KTO -> throw new IllegalArgumentException("kto is an unpaired loss: KtoLoss.of, not DpoLoss.of");
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
     * SimPO's {@code -logsig(z) (1 - ls) - logsig(-z) ls} with {@code z = beta (a_c - a_r) - gamma},
     * per pair; no reference. Rewards are {@code beta a_c} and {@code beta a_r}.
     *
     * @param policyChosen (B) the policy's chosen log-probs averaged per response token, in the graph
     * @param policyRejected (B) the same for the rejected responses
     * @param gamma the target reward margin, >= 0
     */
    public static Result simpo(NDArray policyChosen, NDArray policyRejected, double beta, double gamma,
            double labelSmoothing) {
        checkBeta(beta);
        checkSmoothing(labelSmoothing);
        if (!(gamma >= 0) || Double.isInfinite(gamma)) {
            throw new IllegalArgumentException("dpo.simpo_gamma must be finite and >= 0, got " + gamma);
        }
        NDArray logits = policyChosen.sub(policyRejected).mul(Scalars.like(policyChosen, beta)).sub(gamma); // (B) z
        NDArray losses = LogSigmoid.of(logits).mul(Scalars.like(logits, -(1 - labelSmoothing))) // (B)
                .sub(LogSigmoid.of(logits.neg()).mul(Scalars.like(logits, labelSmoothing)));
        return referenceFreeRewards(losses, policyChosen, policyRejected, beta);
    }

    /**
     * ORPO's odds-ratio term {@code -beta logsig(log odds(a_c) - log odds(a_r))}, per pair; no
     * reference. The NLL half of ORPO is the caller's ({@link #rpoNll}, weight 1). Rewards are
     * {@code beta a_c} and {@code beta a_r}.
     *
     * @param policyChosen (B) the policy's chosen log-probs averaged per response token (<= 0), in the graph
     * @param policyRejected (B) the same for the rejected responses
     * @param beta the weight lambda of the odds-ratio term, > 0
     */
    public static Result orpo(NDArray policyChosen, NDArray policyRejected, double beta) {
        checkBeta(beta);
        NDArray ratio = LogSigmoid.of(logOddsRatio(policyChosen, policyRejected)); // (B) logsig(log odds ratio)
        NDArray losses = ratio.mul(Scalars.like(ratio, -beta)); // (B)
        return referenceFreeRewards(losses, policyChosen, policyRejected, beta);
    }

    /**
     * ORPO's {@code log odds(a_c) - log odds(a_r)}, (B), where {@code log odds(a) = a - log(1 - exp(a))}
     * is the log of {@code p / (1 - p)} for the per-token average probability {@code p = exp(a)}.
     * An average log-prob above {@value #MAX_AVERAGE_LOGP} (a response the policy is all but
     * certain of) is clamped there, so the odds stay finite and the gradient is not NaN; the clamped
     * side then gets no odds-ratio gradient (the NLL term still applies to it).
     */
    public static NDArray logOddsRatio(NDArray policyChosen, NDArray policyRejected) {
        return logOdds(policyChosen).sub(logOdds(policyRejected));
    }

    /** The largest average log-prob ORPO's odds read: {@code exp(-1e-6)} is 0.999999. */
    static final float MAX_AVERAGE_LOGP = -1e-6f;

    private static NDArray logOdds(NDArray averageLogps) {
        NDArray a = averageLogps.minimum(Scalars.like(averageLogps, MAX_AVERAGE_LOGP)); // (B) < 0
        return a.sub(Log1mExp.of(a));
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
        return MaskedReductions.normalised(policyChosen.sum().neg(), tokens); // ()
    }

    private static NDArray margin(NDArray pc, NDArray pr, NDArray rc, NDArray rr) {
        return pc.sub(pr).sub(rc.sub(rr)); // (B)
    }

    private static Result withRewards(NDArray losses, NDArray pc, NDArray pr, NDArray rc, NDArray rr, double beta) {
        NDArray b = Scalars.like(losses, beta);
        return new Result(losses, pc.sub(rc).mul(b), pr.sub(rr).mul(b));
    }

    private static Result referenceFreeRewards(NDArray losses, NDArray pc, NDArray pr, double beta) {
        NDArray b = Scalars.like(losses, beta);
        return new Result(losses, pc.mul(b), pr.mul(b));
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
