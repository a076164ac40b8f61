package org.rlhf4j.core.training;

import java.util.LinkedHashMap;
import java.util.Map;
import org.rlhf4j.core.optim.OptimizerStep;

/**
 * The training loss, tokens and wall time since the last metrics line, drained into that line:
 * the mean loss over the window's steps (as TRL logs it) and the throughput of the window.
 *
 * <p>A stage adds its own means (accuracies, reward margins) through the {@code stageMetrics}
 * of {@link #drain}, which keeps them between {@code loss} and the optimizer's figures, and the
 * time its phases took through {@link #phases}, which end the line as {@code time/<phase>}.
 */
public final class MetricWindow {

    private double lossSum;
    private int steps;
    private long tokens;
    private long startNanos = System.nanoTime();
    private final PhaseTimer phases = new PhaseTimer();

    /** Adds one optimizer step's loss and its real (non-padding) tokens. */
    public void add(double loss, long stepTokens) {
        lossSum += loss;
        steps++;
        tokens += stepTokens;
    }

    /** The phase clocks of this window's steps (nothing is logged for a stage that times nothing). */
    public PhaseTimer phases() {
        return phases;
    }

    /** Steps added since the last drain (a stage divides its own sums by it). */
    public int steps() {
        return steps;
    }

    /**
     * The metrics line of the window, in this order: {@code loss}, {@code stageMetrics},
     * {@code grad_norm}, {@code learning_rate}, {@code epoch}, {@code num_tokens},
     * {@code tokens_per_second}, {@code skipped_steps} when any step was skipped, and the
     * {@code time/<phase>} means of the timed phases; then starts the next window.
     *
     * @param update the window's last optimizer step
     * @param epoch fractional epochs read so far
     * @param tokensSeen real tokens of the whole run so far
     * @param skippedSteps steps of the whole run skipped for a non-finite gradient norm
     */
    public Map<String, Object> drain(Map<String, ?> stageMetrics, OptimizerStep.Result update, double epoch,
            long tokensSeen, int skippedSteps) {
        long now = System.nanoTime();
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("loss", lossSum / Math.max(1, steps));
        line.putAll(stageMetrics);
        line.put("grad_norm", update.gradNorm());
        line.put("learning_rate", update.learningRate());
        line.put("epoch", epoch);
        line.put("num_tokens", tokensSeen);
        line.put("tokens_per_second", tokens / Math.max(1e-9, (now - startNanos) / 1e9));
        if (skippedSteps > 0) {
            line.put("skipped_steps", skippedSteps);
        }
        line.putAll(phases.drain(steps));
        lossSum = 0;
        steps = 0;
        tokens = 0;
        startNanos = now;
        return line;
    }
}
