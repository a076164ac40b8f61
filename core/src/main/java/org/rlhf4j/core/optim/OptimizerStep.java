package org.rlhf4j.core.optim;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/**
 * The end of every training step, after the backward passes: global-norm clipping, an AdamW
 * update at the scheduled learning rate, and zeroed gradients. A step whose gradient norm is not
 * finite (NaN or infinity from an overflow or a bad batch) is skipped: the gradients are zeroed,
 * the weights and moments stay as they were, and the skip is counted. So is a step whose loss is
 * not finite, whatever its gradients.
 */
public final class OptimizerStep {

    private final AdamW optimizer;
    private final Map<String, NDArray> parameters;
    private final double maxGradNorm;
    private final LearningRateSchedule schedule;
    private int skippedSteps;

    /**
     * @param parameters the optimizer's parameters, for the gradient norm
     * @param maxGradNorm clip to this global norm; 0 means no clipping (the norm is still computed)
     */
    public OptimizerStep(AdamW optimizer, Map<String, NDArray> parameters, double maxGradNorm,
            LearningRateSchedule schedule) {
        if (!(maxGradNorm >= 0)) {
            throw new IllegalArgumentException("train.max_grad_norm must be >= 0, got " + maxGradNorm);
        }
        this.optimizer = optimizer;
        this.parameters = parameters;
        this.maxGradNorm = maxGradNorm;
        this.schedule = schedule;
    }

    /** What one step did. */
    public record Result(double gradNorm, double learningRate, boolean skipped) {}

    /**
     * Clips and applies the accumulated gradients as optimizer step {@code step} (0-based: the
     * number of steps completed before this one, as {@link LearningRateSchedule#lr} counts).
     */
    public Result apply(int step) {
        return apply(step, 0.0);
    }

    /**
     * {@link #apply(int)} for a step whose loss was {@code loss}: a non-finite loss skips the step
     * as a non-finite gradient norm does.
     */
    public Result apply(int step, double loss) {
        double lr = schedule.lr(step);
        // Double.MAX_VALUE: the norm is computed for the log but never scales anything.
        double norm = GradientClipping.clipGlobalNorm(parameters, maxGradNorm > 0 ? maxGradNorm : Double.MAX_VALUE);
        if (!Double.isFinite(norm) || !Double.isFinite(loss)) {
            optimizer.zeroGradients();
            skippedSteps++;
            return new Result(norm, lr, true);
        }
        optimizer.step(lr);
        return new Result(norm, lr, false);
    }

    /** Steps skipped so far for a non-finite loss or gradient norm (including those before a resume). */
    public int skippedSteps() {
        return skippedSteps;
    }

    /** Restores the skip count of a resumed run. */
    public void restoreSkippedSteps(int count) {
        this.skippedSteps = count;
    }

    public LearningRateSchedule schedule() {
        return schedule;
    }
}
