package org.rlhf4j.core.training;

import java.nio.file.Path;
import java.util.Map;

/**
 * What a training run did, for the command that started it: how far it got, from where, its last
 * metrics and where the final model went.
 *
 * @param step optimizer steps completed
 * @param totalSteps the steps the run trains to
 * @param resumedFromStep the checkpoint step this process continued from, 0 for a fresh run
 * @param lastTrain the numbers of the last training metrics line ({@code loss}, the window's mean,
 *     the stage's figures, {@code grad_norm}, ...), empty when no step was logged
 * @param lastEval the numbers of the last evaluation's metrics line ({@code eval_loss}, ...),
 *     empty without an eval split
 * @param finalModel the exported model directory, null when the run stopped before the last step
 * @param skippedSteps steps skipped for a non-finite gradient norm
 * @param notes what else the stage reports, as {@code name: text} lines in order (DPO: where the
 *     reference log-probs came from)
 * @param unit what the stage calls a step in what it prints ({@code step}; PPO: {@code iteration})
 */
public record RunSummary(int step, int totalSteps, int resumedFromStep, Map<String, Double> lastTrain,
        Map<String, Double> lastEval, Path finalModel, int skippedSteps, Map<String, String> notes, String unit) {

    /** A summary whose steps are called {@code step}. */
    public RunSummary(int step, int totalSteps, int resumedFromStep, Map<String, Double> lastTrain,
            Map<String, Double> lastEval, Path finalModel, int skippedSteps, Map<String, String> notes) {
        this(step, totalSteps, resumedFromStep, lastTrain, lastEval, finalModel, skippedSteps, notes, "step");
    }

    /** This summary with its steps called {@code stepName} ({@code iteration}). */
    public RunSummary counting(String stepName) {
        return new RunSummary(step, totalSteps, resumedFromStep, lastTrain, lastEval, finalModel, skippedSteps, notes,
                stepName);
    }

    /** The last training line's value of {@code key}, NaN when it has none. */
    public double lastTrain(String key) {
        return lastTrain.getOrDefault(key, Double.NaN);
    }

    /** The last evaluation's value of {@code key} (an {@code eval_} name), NaN without one. */
    public double lastEval(String key) {
        return lastEval.getOrDefault(key, Double.NaN);
    }

    /** The last training line's mean loss. */
    public double lastLoss() {
        return lastTrain("loss");
    }

    /** The last evaluation's loss, NaN without an eval split. */
    public double lastEvalLoss() {
        return lastEval("eval_loss");
    }

    /**
     * {@code trained to step 20/20: loss 0.1234, eval_loss 0.2345}: the progress in {@link #unit}s and
     * the value of each of {@code keys} that the last training or evaluation line has, in the order given.
     */
    public String headline(String... keys) {
        StringBuilder line = new StringBuilder(String.format("trained to %s %d/%d:", unit, step, totalSteps));
        String separator = " ";
        for (String key : keys) {
            Double value = lastTrain.containsKey(key) ? lastTrain.get(key) : lastEval.get(key);
            if (value != null) {
                line.append(separator).append(String.format("%s %.4f", key, value));
                separator = ", ";
            }
        }
        return line.toString();
    }
}
