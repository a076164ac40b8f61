package org.rlhf4j.dpo;

import org.rlhf4j.core.config.ConfigChecks;
import org.rlhf4j.core.config.ConfigException;

/**
 * The {@code dpo:} section. Everything has a default (TRL's where TRL has the knob), so the
 * section may be left out.
 *
 * <p>Knob names follow TRL where TRL has the knob: {@code simpo_gamma} (TRL's {@code CPOConfig}:
 * the target margin gamma itself, not SimPO's own {@code gamma_beta_ratio}), {@code desirable_weight}
 * and {@code undesirable_weight} ({@code KTOConfig}), {@code beta} as ORPO's lambda
 * ({@code ORPOConfig}). TRL's {@code cpo_alpha} (CPO-SimPO's chosen NLL) is {@code rpo_alpha} here:
 * one key for the one term, with any paired loss but ORPO, which always has it with weight 1.
 *
 * @param beta inverse temperature of the implicit reward {@code beta log(pi / pi_ref)}; how far
 *     the policy may move from the reference (default 0.1; 2.0 for {@code simpo}, the SimPO
 *     paper's setting, where beta scales per-token average log-probs; lambda for {@code orpo})
 * @param lossType {@code sigmoid} (default, DPO), {@code ipo}, {@code hinge}, {@code robust}, or
 *     the reference-free {@code simpo} and {@code orpo}, or {@code kto} on unpaired labelled
 *     completions (see {@link DpoLoss} and {@link KtoLoss})
 * @param labelSmoothing assumed share of flipped preference labels, in [0, 0.5): conservative
 *     DPO with {@code sigmoid}, robust DPO with {@code robust}, and as TRL's CPO trainer with
 *     {@code simpo}; must stay 0 for the others (default 0)
 * @param rpoAlpha weight of the chosen response's per-token negative log-likelihood added to the
 *     loss (RPO; CPO-SimPO's {@code cpo_alpha} with {@code simpo}); 0 (default) turns it off; not
 *     with {@code orpo} or {@code kto}
 * @param reference {@code precomputed} (default): one pass of the reference over every train and
 *     eval pair before training, cached in {@code OUTPUT_DIR/reference_logps.json}, after which the
 *     reference model is released; {@code frozen}: the reference stays in memory and scores each
 *     micro-batch; {@code adapters_off} (with a {@code lora:} section): the policy's own weights with
 *     its adapters switched off, scored on the fly, no second copy in memory
 * @param referenceModel the reference's model directory; absent: the config's {@code model} (the
 *     starting checkpoint, also on resume)
 * @param maxPromptLen when prompt + longer response exceed {@code train.max_seq_len}, the prompt
 *     keeps its last this many tokens before the responses are cut (default: half of
 *     {@code max_seq_len})
 * @param simpoGamma SimPO's target reward margin gamma, >= 0, {@code simpo} only (default: half of
 *     beta, SimPO's {@code gamma_beta_ratio} 0.5; 1.0 with the default beta 2.0)
 * @param desirableWeight KTO's lambda_D, the weight of desirable examples' losses, >= 0, {@code kto}
 *     only (default 1)
 * @param undesirableWeight KTO's lambda_U, the weight of undesirable examples' losses, >= 0,
 *     {@code kto} only (default 1). The KTO paper advises
 *     {@code lambda_D n_D / (lambda_U n_U)} in [1, 4/3] for unbalanced data.
 *
 * <p>{@code reference} and {@code reference_model} are ignored by the reference-free
 * {@code simpo} and {@code orpo}: no reference model is loaded or scored for them.
 */
public record DpoOptions(
        Double beta,
        String lossType,
        Double labelSmoothing,
        Double rpoAlpha,
        String reference,
        String referenceModel,
        Integer maxPromptLen,
        Double simpoGamma,
        Double desirableWeight,
        Double undesirableWeight) {

    /** SimPO's default beta (Meng et al. 2024 use 2.0 to 2.5). */
    static final double SIMPO_BETA = 2.0;

    public DpoOptions {
        lossType = lossType == null ? "sigmoid" : lossType;
        DpoLoss.Type type;
        try {
            type = DpoLoss.Type.fromName(lossType);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
        beta = ConfigChecks.positive("dpo.beta", beta, type == DpoLoss.Type.SIMPO ? SIMPO_BETA : 0.1);
        labelSmoothing = labelSmoothing == null ? 0.0 : labelSmoothing;
        if (!(labelSmoothing >= 0 && labelSmoothing < 0.5)) {
            throw new ConfigException("dpo.label_smoothing must be in [0, 0.5), got " + labelSmoothing);
        }
        if (labelSmoothing > 0 && !type.usesLabelSmoothing()) {
            throw new ConfigException("dpo.label_smoothing applies to loss_type sigmoid, robust and simpo only,"
                    + " not " + lossType);
        }
        rpoAlpha = ConfigChecks.nonNegative("dpo.rpo_alpha", rpoAlpha, 0.0);
        if (rpoAlpha > 0 && (type == DpoLoss.Type.ORPO || type == DpoLoss.Type.KTO)) {
            throw new ConfigException("dpo.rpo_alpha does not apply to loss_type " + lossType
                    + (type == DpoLoss.Type.ORPO ? " (ORPO's loss already has the chosen NLL, weight 1)" : "")
                    + "; remove it");
        }
        // the defaults a resolved config writes back (config.resolved.yaml) are not a setting
        if (simpoGamma != null && simpoGamma != 0 && type != DpoLoss.Type.SIMPO) {
            throw new ConfigException("dpo.simpo_gamma applies to loss_type simpo only, not " + lossType);
        }
        simpoGamma = ConfigChecks.nonNegative("dpo.simpo_gamma", simpoGamma, type == DpoLoss.Type.SIMPO ? beta / 2 : 0.0);
        boolean desirableSet = desirableWeight != null && desirableWeight != 1;
        boolean undesirableSet = undesirableWeight != null && undesirableWeight != 1;
        if ((desirableSet || undesirableSet) && type != DpoLoss.Type.KTO) {
            throw new ConfigException("dpo." + (desirableSet ? "desirable_weight" : "undesirable_weight")
                    + " applies to loss_type kto only, not " + lossType);
        }
        desirableWeight = ConfigChecks.nonNegative("dpo.desirable_weight", desirableWeight, 1.0);
        undesirableWeight = ConfigChecks.nonNegative("dpo.undesirable_weight", undesirableWeight, 1.0);
        if (desirableWeight == 0 && undesirableWeight == 0) {
            throw new ConfigException("dpo.desirable_weight and dpo.undesirable_weight are both 0: nothing to train");
        }
        reference = reference == null ? "precomputed" : reference;
        if (!reference.equals("precomputed") && !reference.equals("frozen") && !reference.equals(ADAPTERS_OFF)) {
            throw new ConfigException("dpo.reference must be precomputed, frozen or " + ADAPTERS_OFF + ", got '"
                    + reference + "'");
        }
        ConfigChecks.atLeastIfSet("dpo.max_prompt_len", maxPromptLen, 1);
    }

    /** The options of the losses that have no SimPO or KTO knobs. */
    public DpoOptions(Double beta, String lossType, Double labelSmoothing, Double rpoAlpha, String reference,
            String referenceModel, Integer maxPromptLen) {
        this(beta, lossType, labelSmoothing, rpoAlpha, reference, referenceModel, maxPromptLen, null, null, null);
    }

    /** The {@code dpo.reference} value that scores the reference with the policy's LoRA adapters off. */
    public static final String ADAPTERS_OFF = "adapters_off";

    /** Whether the reference is the policy itself with its LoRA adapters switched off (no second copy). */
    public boolean adaptersOff() {
        return reference.equals(ADAPTERS_OFF);
    }

    /** The defaults. */
    public static DpoOptions defaults() {
        return new DpoOptions(null, null, null, null, null, null, null);
    }

    /** The loss variant. */
    public DpoLoss.Type type() {
        return DpoLoss.Type.fromName(lossType);
    }

    /** Whether the reference is scored once and cached rather than kept in memory. */
    public boolean precomputed() {
        return reference.equals("precomputed");
    }

    /** Whether log-probs are averaged over response tokens before the loss (IPO, SimPO, ORPO, as TRL does). */
    public boolean averagesLogps() {
        return type().averagesLogps();
    }

    /** Whether a reference model is loaded and scored (not for the reference-free SimPO and ORPO). */
    public boolean needsReference() {
        return type().needsReference();
    }

    /**
     * The weight of the chosen response's per-token NLL in the objective: 1 for ORPO (half of its
     * loss), {@link #rpoAlpha} otherwise.
     */
    public double nllWeight() {
        return type() == DpoLoss.Type.ORPO ? 1.0 : rpoAlpha;
    }

    /** {@link #maxPromptLen}, or half of {@code maxSeqLen} when unset. */
    public int promptBudget(int maxSeqLen) {
        int budget = maxPromptLen != null ? maxPromptLen : maxSeqLen / 2;
        if (budget >= maxSeqLen) {
            throw new ConfigException("dpo.max_prompt_len (" + budget + ") must be below train.max_seq_len ("
                    + maxSeqLen + ")");
        }
        return Math.max(1, budget);
    }
}
