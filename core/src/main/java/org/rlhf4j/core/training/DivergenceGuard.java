package org.rlhf4j.core.training;

import ai.djl.ndarray.NDArray;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.rlhf4j.core.model.NonFiniteTensors;
import org.rlhf4j.core.optim.OptimizerStep;

/**
 * Stops a run whose optimizer steps keep failing: after {@code train.max_nonfinite_steps}
 * consecutive steps with a non-finite loss or gradient norm (each skipped by
 * {@link OptimizerStep}), or when weights about to be saved are not finite. While such a streak
 * lasts, the last checkpoint written before it is kept from pruning, and the error names it.
 *
 * <p>The streak is not part of the checkpoint: a resumed run counts from zero again.
 */
final class DivergenceGuard {

    private final int limit;
    private final CheckpointStore checkpoints;
    private Path lastGood; // newest checkpoint written outside a streak, null before the first
    private int streak;
    private int firstBadStep; // 1-based step that began the streak

    /** @param resumedFrom the checkpoint the run continues from, null for a fresh run */
    DivergenceGuard(int limit, CheckpointStore checkpoints, Path resumedFrom) {
        this.limit = limit;
        this.checkpoints = checkpoints;
        this.lastGood = resumedFrom;
    }

    /**
     * Counts optimizer step {@code step} (0-based, as {@link OptimizerStep#apply} takes it).
     *
     * @throws TrainingDivergedException when this step makes {@code limit} skipped steps in a row
     */
    void record(int step, OptimizerStep.Result result) {
        if (!result.skipped()) {
            if (streak > 0) {
                checkpoints.keep(null); // a transient skip, not a divergence
            }
            streak = 0;
            return;
        }
        if (streak++ == 0) {
            firstBadStep = step + 1;
            checkpoints.keep(lastGood);
        }
        if (streak >= limit) {
            throw new TrainingDivergedException(String.format(
                    "training diverged: loss or gradient norm not finite for %d consecutive steps (%d-%d,"
                            + " train.max_nonfinite_steps is %d); %s; lower train.lr or check the data",
                    streak, firstBadStep, step + 1, limit, lastGoodText()));
        }
    }

    /** Notes a checkpoint just written; outside a streak it becomes the one to fall back to. */
    void checkpointed(Path dir) {
        if (streak == 0) {
            lastGood = dir;
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

    private String lastGoodText() {
        return lastGood == null ? "no checkpoint was written before it"
                : "the last checkpoint before it is " + lastGood;
    }
}
