package org.rlhf4j.core.training;

import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.rlhf4j.core.model.NonFiniteTensors;
import org.rlhf4j.core.optim.OptimizerStep;

/**
 * Stops a run whose optimizer steps keep failing: after {@code train.max_nonfinite_steps}
 * consecutive steps with a non-finite loss or gradient norm (each skipped by
 * {@link OptimizerStep}), after {@code train.max_loss_spike.steps} consecutive steps whose loss
 * exceeds {@code factor} times its running median ({@link LossSpikeRule}, when configured), or when
 * weights about to be saved are not finite. While such a streak lasts, the last checkpoint written
 * before it is kept from pruning, and the error names it.
 *
 * <p>Its counters, the recent losses and that checkpoint's name go into every checkpoint
 * ({@link #FILE_NAME}), so a resumed run continues the count where the checkpoint left it.
 */
final class DivergenceGuard {

    /** The guard's state inside a checkpoint directory. */
    static final String FILE_NAME = "divergence_state.json";

    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * What {@link #FILE_NAME} holds.
     *
     * @param nonfiniteStreak consecutive non-finite optimizer updates so far
     * @param firstNonfiniteStep 1-based step (PPO: iteration) that began that streak
     * @param spikeStreak consecutive spiking steps so far
     * @param firstSpikeStep 1-based step that began that streak
     * @param recentLosses the running median's losses, oldest first
     * @param lastGood directory name (under {@code checkpoints/}) of the last checkpoint written
     *     outside a streak before this one, or null (a checkpoint written outside a streak is
     *     itself the one to fall back to)
     */
    record State(int nonfiniteStreak, int firstNonfiniteStep, int spikeStreak, int firstSpikeStep,
            List<Double> recentLosses, String lastGood) {}

    private final int limit;
    private final LossSpikeRule spikes; // null: off
    private final CheckpointStore checkpoints;
    private final ArrayDeque<Double> recent = new ArrayDeque<>();
    private Path lastGood; // newest checkpoint written outside a streak, null before the first
    private int streak;
    private int firstBadStep; // 1-based step that began the streak
    private int spikeStreak;
    private int firstSpikeStep;

    /**
     * @param spikes the loss-spike rule, null for none
     * @param resumedFrom the checkpoint the run continues from, null for a fresh run; its saved
     *     state, if any, is restored
     */
    DivergenceGuard(int limit, LossSpikeRule spikes, CheckpointStore checkpoints, Path resumedFrom) throws IOException {
        this.limit = limit;
        this.spikes = spikes;
        this.checkpoints = checkpoints;
        this.lastGood = resumedFrom;
        if (resumedFrom != null && Files.isRegularFile(resumedFrom.resolve(FILE_NAME))) {
            restore(resumedFrom.resolve(FILE_NAME));
        }
    }

    /**
     * Counts optimizer step {@code step} (0-based, as {@link OptimizerStep#apply} takes it) whose
     * loss was {@code loss}.
     *
     * @throws TrainingDivergedException when this step makes {@code limit} skipped steps in a row,
     *     or completes a run of loss spikes
     */
    void record(int step, double loss, OptimizerStep.Result result) {
        if (countNonFinite(step, result, "steps", "steps")) {
            return;
        }
        if (spikes == null || !Double.isFinite(loss)) {
            return;
        }
        double median = median();
        if (recent.size() >= spikes.minHistory() && median > 0 && loss > spikes.factor() * median) {
            if (spikeStreak++ == 0) {
                firstSpikeStep = step + 1;
                checkpoints.keep(lastGood);
            }
            if (spikeStreak >= spikes.steps()) {
                throw new TrainingDivergedException(String.format(
                        "training diverged: loss above %s x its running median (%.4g) for %d consecutive steps"
                                + " (%d-%d, train.max_loss_spike: factor %s, steps %d; the last was %.4g); %s;"
                                + " lower train.lr or check the data", trim(spikes.factor()), median, spikeStreak,
                        firstSpikeStep, step + 1, trim(spikes.factor()), spikes.steps(), loss, lastGoodText()));
            }
            return; // a spike does not raise its own bar
        }
        if (spikeStreak > 0) {
            spikeStreak = 0;
            checkpoints.keep(null); // a transient spike, not a divergence
        }
        recent.addLast(loss);
        if (recent.size() > spikes.window()) {
            recent.removeFirst();
        }
    }

    /**
     * Counts one of the several minibatch updates of iteration {@code iteration} (0-based; PPO):
     * only the non-finite rule applies, and its message counts updates within iterations.
     */
    void recordMinibatch(int iteration, OptimizerStep.Result result) {
        countNonFinite(iteration, result, "minibatch updates", "iterations");
    }

    /** True when {@code result} was skipped (and counted); false after a finite update. */
    private boolean countNonFinite(int step, OptimizerStep.Result result, String updates, String steps) {
        if (!result.skipped()) {
            if (streak > 0) {
                streak = 0;
                if (spikeStreak == 0) {
                    checkpoints.keep(null); // a transient skip, not a divergence
                }
            }
            return false;
        }
        if (streak++ == 0) {
            firstBadStep = step + 1;
            checkpoints.keep(lastGood);
        }
        if (streak >= limit) {
            String range = firstBadStep == step + 1 ? steps.substring(0, steps.length() - 1) + " " + firstBadStep
                    : steps + " " + firstBadStep + "-" + (step + 1);
            throw new TrainingDivergedException(String.format(
                    "training diverged: loss or gradient norm not finite for %d consecutive %s (%s,"
                            + " train.max_nonfinite_steps is %d); %s; lower train.lr or check the data",
                    streak, updates, range, limit, lastGoodText()));
        }
        return true;
    }

    /** Notes a checkpoint just written; outside a streak it becomes the one to fall back to. */
    void checkpointed(Path dir) {
        if (streak == 0 && spikeStreak == 0) {
            lastGood = dir;
        }
    }

    /** Writes the guard's state into a checkpoint being staged in {@code dir}. */
    void write(Path dir) throws IOException {
        State state = new State(streak, firstBadStep, spikeStreak, firstSpikeStep, new ArrayList<>(recent),
                lastGood == null ? null : lastGood.getFileName().toString());
        Files.writeString(dir.resolve(FILE_NAME), JSON.writeValueAsString(state) + "\n");
    }

    private void restore(Path file) throws IOException {
        State state;
        try {
            state = JSON.readValue(file.toFile(), State.class);
        } catch (IOException e) {
            throw new IOException(file + ": not a valid divergence state: " + e.getMessage(), e);
        }
        streak = state.nonfiniteStreak();
        firstBadStep = state.firstNonfiniteStep();
        spikeStreak = state.spikeStreak();
        firstSpikeStep = state.firstSpikeStep();
        if (state.recentLosses() != null) {
            recent.addAll(state.recentLosses());
        }
        if (streak > 0 || spikeStreak > 0) {
            // written inside a streak: the one to fall back to is older; its name resolves in this
            // output directory, wherever the run was when it wrote it
            lastGood = state.lastGood() == null ? null : checkpoints.path(0).resolveSibling(state.lastGood());
            checkpoints.keep(lastGood);
        }
    }

    /**
     * Throws unless every weight is finite, before {@code what} (a checkpoint, the final model)
     * is written with them.
     */
    void requireFinite(Map<String, NDArray> weights, String what) {
        Optional<String> bad = NonFiniteTensors.first(weights);
        if (bad.isPresent()) {
            throw new TrainingDivergedException(String.format(
                    "training diverged: weight '%s' is not finite (NaN or infinite), so %s was not written; %s;"
                            + " lower train.lr or check the data", bad.get(), what, lastGoodText()));
        }
    }

    private double median() {
        if (recent.isEmpty()) {
            return Double.NaN;
        }
        double[] sorted = recent.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static String trim(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }

    private String lastGoodText() {
        return lastGood == null ? "no checkpoint was written before it"
                : "the last checkpoint before it is " + lastGood;
    }
}
