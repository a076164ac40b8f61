package org.rlhf4j.reward;

import static org.rlhf4j.core.config.ConfigChecks.nonNegative;
import static org.rlhf4j.core.config.ConfigChecks.oneOf;
import static org.rlhf4j.core.config.ConfigChecks.positive;

import java.util.LinkedHashMap;
import java.util.Map;
import org.rlhf4j.core.config.ConfigException;
import org.rlhf4j.datasets.PreferenceDegree;
import org.rlhf4j.datasets.PreferencePair;
import org.rlhf4j.datasets.RewardConditions;

/**
 * The {@code rm:} section: what reward-model training adds to the shared keys. Everything has a
 * default, so the section may be left out.
 *
 * @param loss {@code ranking} (default): {@code -log sigmoid(r_chosen - r_rejected - m)} with the
 *     margin {@code m} of {@code margin}, Llama 2-Chat's binary ranking loss; {@code focal}:
 *     InternLM2's focal ranking loss with a log-barrier on both scores (ignores margins)
 * @param margin where a pair's margin {@code m} comes from: {@code auto} (default) its {@code margin}
 *     field, else its {@code preference} degree through {@code degree_margins}, else 0;
 *     {@code explicit}: the {@code margin} field or 0; {@code degree}: the table or 0; {@code none}: 0
 * @param degreeMargins margin per preference degree; entries given here replace the defaults,
 *     Llama 2-Chat's small margins (significantly_better 1, better 2/3, slightly_better 1/3,
 *     negligibly_better 0)
 * @param centerRewardsCoefficient weight of TRL's centering term
 *     {@code mean((r_chosen + r_rejected)^2)} that keeps rewards near zero (default 0, off)
 * @param focalGamma the focal exponent gamma (default 2)
 * @param barrierLambda the log-barrier weight lambda (default 0.01)
 * @param barrierBound the barrier keeps scores inside {@code (-bound, bound)} (default 5)
 * @param scoreInitStd standard deviation of the new scalar head when the starting model is a
 *     causal LM (default 0.02, transformers' {@code initializer_range})
 * @param conditions condition name to system prompt (COOL RLHF conditional reward models); see
 *     {@link RewardConditions} for how a pair's {@code condition} is resolved
 */
public record RmOptions(
        String loss,
        String margin,
        Map<String, Double> degreeMargins,
        Double centerRewardsCoefficient,
        Double focalGamma,
        Double barrierLambda,
        Double barrierBound,
        Double scoreInitStd,
        Map<String, String> conditions) {

    /** The loss variants. */
    public enum LossKind {
        RANKING,
        FOCAL
    }

    /** Where a pair's margin comes from. */
    public enum MarginSource {
        AUTO,
        EXPLICIT,
        DEGREE,
        NONE
    }

    /** Llama 2-Chat's "small" margins per degree (Touvron et al. 2023, section 3.2.2 and its appendix). */
    public static final Map<String, Double> LLAMA2_SMALL_MARGINS = Map.of(
            "significantly_better", 1.0, "better", 2.0 / 3.0, "slightly_better", 1.0 / 3.0, "negligibly_better", 0.0);

    public RmOptions {
        loss = loss == null ? "ranking" : loss;
        oneOf("rm.loss", loss, LossKind.class);
        margin = margin == null ? "auto" : margin;
        oneOf("rm.margin", margin, MarginSource.class);
        Map<String, Double> table = new LinkedHashMap<>();
        for (PreferenceDegree d : PreferenceDegree.values()) {
            table.put(d.configName(), LLAMA2_SMALL_MARGINS.get(d.configName()));
        }
        if (degreeMargins != null) {
            for (Map.Entry<String, Double> e : degreeMargins.entrySet()) {
                if (!table.containsKey(e.getKey())) {
                    throw new ConfigException("rm.degree_margins: unknown degree '" + e.getKey() + "'; expected "
                            + PreferenceDegree.names());
                }
                if (e.getValue() == null || !Double.isFinite(e.getValue())) {
                    throw new ConfigException("rm.degree_margins." + e.getKey() + " must be a finite number");
                }
                table.put(e.getKey(), e.getValue());
            }
        }
        degreeMargins = java.util.Collections.unmodifiableMap(table);
        centerRewardsCoefficient = nonNegative("rm.center_rewards_coefficient", centerRewardsCoefficient, 0.0);
        focalGamma = nonNegative("rm.focal_gamma", focalGamma, 2.0);
        barrierLambda = nonNegative("rm.barrier_lambda", barrierLambda, 0.01);
        barrierBound = positive("rm.barrier_bound", barrierBound, 5.0);
        scoreInitStd = nonNegative("rm.score_init_std", scoreInitStd, 0.02);
        conditions = conditions == null ? Map.of() : new LinkedHashMap<>(conditions);
        try {
            RewardConditions.of(conditions);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("rm." + e.getMessage());
        }
    }

    /** The defaults. */
    public static RmOptions defaults() {
        return new RmOptions(null, null, null, null, null, null, null, null, null);
    }

    public LossKind lossKind() {
        return oneOf("rm.loss", loss, LossKind.class);
    }

    public MarginSource marginSource() {
        return oneOf("rm.margin", margin, MarginSource.class);
    }

    /**
     * The margin {@code m} of a pair under {@link #marginSource()}.
     */
    public double marginOf(PreferencePair pair) {
        double fromDegree = pair.preference() == null ? 0 : degreeMargins.get(pair.preference());
        double explicit = pair.margin() == null ? 0 : pair.margin();
        return switch (marginSource()) {
            case AUTO -> pair.margin() != null ? explicit : fromDegree;
            case EXPLICIT -> explicit;
            case DEGREE -> fromDegree;
            case NONE -> 0;
        };
    }
}
