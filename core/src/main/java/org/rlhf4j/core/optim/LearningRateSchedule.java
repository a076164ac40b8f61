package org.rlhf4j.core.optim;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The learning rate as a pure function of the 0-based optimizer step: linear warmup from 0 over
 * {@code warmupSteps}, then cosine or linear decay to 0 at {@code maxSteps}, or constant.
 *
 * <p>Same multipliers and step convention as transformers' {@code LambdaLR} schedules
 * ({@code get_cosine_schedule_with_warmup} with 0.5 cycles, {@code get_linear_schedule_with_warmup},
 * {@code get_constant_schedule_with_warmup}): the k-th optimizer step (k from 0) runs at
 * {@code lr(k)}, so with warmup the very first step has learning rate 0 (its moments still
 * update), and {@code lr(warmupSteps)} is the peak. {@code constant} with {@code warmupSteps > 0}
 * is transformers' {@code constant_with_warmup}. Past {@code maxSteps} the formulas are
 * transformers' too (linear stays at 0; cosine rises again as its cosine does).
 *
 * @param kind the decay after warmup ({@code train.schedule})
 * @param peakLr learning rate reached at the end of warmup ({@code train.lr})
 * @param warmupSteps steps of linear warmup from 0 ({@code train.warmup_steps})
 * @param maxSteps total optimizer steps; decay reaches 0 here ({@code train.max_steps})
 */
public record LearningRateSchedule(Kind kind, double peakLr, int warmupSteps, int maxSteps) {

    /** What the learning rate does after warmup. */
    public enum Kind {
        COSINE,
        LINEAR,
        CONSTANT;

        /** The name used in configs: {@code cosine}, {@code linear}, {@code constant}. */
        public String configName() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Parses a config name, case-insensitively; the error lists the valid names. */
        public static Kind fromName(String name) {
            for (Kind kind : values()) {
                if (kind.configName().equalsIgnoreCase(name == null ? "" : name.trim())) {
                    return kind;
                }
            }
            String valid = Arrays.stream(values()).map(Kind::configName).collect(Collectors.joining(", "));
            throw new IllegalArgumentException("train.schedule: unknown schedule '" + name + "'; valid: " + valid);
        }
    }

    public LearningRateSchedule {
        if (kind == null) {
            throw new IllegalArgumentException("train.schedule must be set");
        }
        if (!(peakLr >= 0) || Double.isInfinite(peakLr)) {
            throw new IllegalArgumentException("train.lr must be finite and >= 0, got " + peakLr);
        }
        if (warmupSteps < 0) {
            throw new IllegalArgumentException("train.warmup_steps must be >= 0, got " + warmupSteps);
        }
        if (maxSteps < 1) {
            throw new IllegalArgumentException("train.max_steps must be >= 1, got " + maxSteps);
        }
    }

    /** The learning rate of the optimizer step {@code step} (0-based). */
    public double lr(int step) {
        return peakLr * multiplier(step);
    }

    /** The factor in [0, 1] that {@link #lr} applies to {@code peakLr}; transformers' lr_lambda. */
    public double multiplier(int step) {
        if (step < 0) {
            throw new IllegalArgumentException("optimizer step must be >= 0, got " + step);
        }
        if (step < warmupSteps) {
            return (double) step / Math.max(1, warmupSteps);
        }
        double decaySteps = Math.max(1, maxSteps - warmupSteps);
        return switch (kind) {
            case CONSTANT -> 1.0;
            case LINEAR -> Math.max(0.0, (maxSteps - step) / decaySteps);
            case COSINE -> {
                double progress = (step - warmupSteps) / decaySteps;
                // 0.5 cycles: cos(pi * 0.5 * 2 * progress) falls from 1 to -1 over the decay.
                yield Math.max(0.0, 0.5 * (1.0 + Math.cos(Math.PI * progress)));
            }
        };
    }
}
