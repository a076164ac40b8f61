package org.rlhf4j.dpo;

import org.rlhf4j.core.config.ConfigException;

/**
 * The {@code dpo:} section. Everything has a default (TRL's where TRL has the knob), so the
 * section may be left out.
 *
 * @param beta inverse temperature of the implicit reward {@code beta log(pi / pi_ref)}; how far
 *     the policy may move from the reference (default 0.1)
 * @param lossType {@code sigmoid} (default, DPO), {@code ipo}, {@code hinge} or {@code robust}
 * @param labelSmoothing assumed share of flipped preference labels, in [0, 0.5): conservative
 *     DPO with {@code sigmoid}, robust DPO with {@code robust}; must stay 0 for the others (default 0)
 * @param rpoAlpha weight of the chosen response's per-token negative log-likelihood added to the
 *     loss (RPO); 0 (default) turns it off
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
 */
public record DpoOptions(
        Double beta,
        String lossType,
        Double labelSmoothing,
        Double rpoAlpha,
        String reference,
        String referenceModel,
        Integer maxPromptLen) {

    public DpoOptions {
        beta = beta == null ? 0.1 : beta;
        if (!(beta > 0) || beta.isInfinite()) {
            throw new ConfigException("dpo.beta must be finite and > 0, got " + beta);
        }
        lossType = lossType == null ? "sigmoid" : lossType;
        DpoLoss.Type type;
        try {
            type = DpoLoss.Type.fromName(lossType);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
        labelSmoothing = labelSmoothing == null ? 0.0 : labelSmoothing;
        if (!(labelSmoothing >= 0 && labelSmoothing < 0.5)) {
            throw new ConfigException("dpo.label_smoothing must be in [0, 0.5), got " + labelSmoothing);
        }
        if (labelSmoothing > 0 && !type.usesLabelSmoothing()) {
            throw new ConfigException("dpo.label_smoothing applies to loss_type sigmoid and robust only, not "
                    + lossType);
        }
        rpoAlpha = rpoAlpha == null ? 0.0 : rpoAlpha;
        if (!(rpoAlpha >= 0) || rpoAlpha.isInfinite()) {
            throw new ConfigException("dpo.rpo_alpha must be finite and >= 0, got " + rpoAlpha);
        }
        reference = reference == null ? "precomputed" : reference;
        if (!reference.equals("precomputed") && !reference.equals("frozen") && !reference.equals(ADAPTERS_OFF)) {
            throw new ConfigException("dpo.reference must be precomputed, frozen or " + ADAPTERS_OFF + ", got '"
                    + reference + "'");
        }
        if (maxPromptLen != null && maxPromptLen < 1) {
            throw new ConfigException("dpo.max_prompt_len must be >= 1, got " + maxPromptLen);
        }
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

    /** Whether log-probs are averaged over response tokens before the loss (IPO, as TRL does). */
    public boolean averagesLogps() {
        return type() == DpoLoss.Type.IPO;
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
