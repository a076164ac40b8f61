package org.rlhf4j.core.training;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.rlhf4j.core.optim.OptimizerStep;
import org.rlhf4j.core.pretrained.PretrainedModel;

/**
 * The optimizer-step loop that every stage training on a fixed data set shares (SFT and
 * pretraining, reward models, DPO and its variants, KTO): read a step's micro-batches, run their
 * forwards and backwards in one scope, clip and update, then log, evaluate, checkpoint and honour
 * a stop signal. The order after the update is part of the resume contract: a checkpoint follows
 * the step's metrics and evaluation, so a resumed run neither repeats nor loses a line.
 *
 * <p>What differs between stages (which rows, which loss, which statistics) is a {@link Stage}.
 */
public final class StepLoop {

    private StepLoop() {}

    /** Where the data stream stands after a step's micro-batches were read. */
    public record Position(int epoch, int batch, double epochProgress) {}

    /** A step's input, read on the Java side before any array exists, and the position after it. */
    public record Read<T>(T input, Position next) {}

    /** What the forwards and backwards of one step gave: the step's loss and its real tokens. */
    public record Accumulated(double loss, long tokens) {}

    /** One stage's part of an optimizer step. */
    public interface Stage<T> {

        /** The micro-batches of the step that starts at {@code state}'s data position. */
        Read<T> read(TrainerState state);

        /**
         * Forward and backward over the step's micro-batches inside {@code scope} (closed after the
         * update), leaving the summed gradients on the weights; timed into {@code phases}.
         */
        Accumulated accumulate(T input, NDManager scope, PhaseTimer phases);

        /** The stage's own means over the logging window of {@code steps} steps; then starts the next window. */
        default Map<String, ?> drainMetrics(int steps) {
            return Map.of();
        }

        /** Whether a held-out split exists. */
        boolean evaluates();

        /** The held-out metrics without a graph, {@code eval_loss} first. */
        Map<String, Double> evaluate();

        /** The progress line of an evaluation after step {@code done}. */
        default String describe(int done, Map<String, Double> eval) {
            return String.format("step %d: eval_loss %.4f", done, eval.get("eval_loss"));
        }
    }

    /**
     * Runs the optimizer steps from {@code state} to {@code total} (or to {@code stopAfter}, as if
     * the process were killed there) and returns the state after the last one.
     *
     * @param afterEachStep called with the model after every step (tests: live arrays stay flat)
     */
    public static <T> TrainerState run(TrainingRun run, Stage<T> stage, int total, TrainerState state, int stopAfter,
            Consumer<PretrainedModel> afterEachStep) throws IOException {
        TrainConfig train = run.train();
        PretrainedModel model = run.model();
        ProgressBar progress = ProgressBar.onStderr(total, state.step());
        MetricWindow window = new MetricWindow();
        PhaseTimer phases = window.phases(); // time/* of the metrics line
        for (int step = state.step(); step < Math.min(total, stopAfter); step++) {
            long started = System.nanoTime();
            Read<T> read = stage.read(state);
            Accumulated out;
            OptimizerStep.Result update;
            try (NDManager scope = model.manager().newSubManager()) { // every array of this step dies here
                scope.tempAttachAll(model.model().weights().asList()); // gradients and weight views land in it
                out = stage.accumulate(read.input(), scope, phases); // forward + backward
                update = run.update(step, out.loss(), phases); // clip, AdamW at lr(step), zero grads; stop if diverged
            }
            phases.lap("step", started);
            int done = step + 1;
            Position next = read.next();
            state = state.advance(done, next.epoch(), next.batch(), out.tokens(), run.optimizer().skippedSteps());
            window.add(out.loss(), out.tokens());
            boolean logged = train.logsAt(done, total);
            if (logged) {
                run.log(done, window.drain(stage.drainMetrics(window.steps()), update, next.epochProgress(),
                        state.tokensSeen(), state.skippedSteps()));
            }
            if (stage.evaluates() && train.evaluatesAt(done, total)) { // no graph: outside any collector
                Map<String, Double> eval = stage.evaluate();
                state = state.withBest("eval_loss", eval.get("eval_loss"));
                Map<String, Object> line = new LinkedHashMap<>(eval);
                line.put("epoch", next.epochProgress());
                run.logEval(done, line);
                progress.message(stage.describe(done, eval));
            }
            progress.update(done, out.loss(), out.tokens() / ((System.nanoTime() - started) / 1e9), logged);
            if (train.savesAt(done, total)) { // after this step's metrics, so a resume keeps them
                run.checkpoint(state);
            }
            afterEachStep.accept(model);
            run.stopIfSignalled(state); // after SIGTERM/SIGINT: checkpoint and stop
        }
        progress.finish();
        return state;
    }
}
