package org.rlhf4j.core.training;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.rlhf4j.core.config.UserException;
import org.rlhf4j.core.config.ConfigLoader;
import org.rlhf4j.core.io.IoConsumer;
import org.rlhf4j.core.model.Recompute;
import org.rlhf4j.core.optim.AdamW;
import org.rlhf4j.core.optim.OptimizerStep;
import org.rlhf4j.core.plan.MemoryPlan;
import org.rlhf4j.core.plan.MemoryPlanner;
import org.rlhf4j.core.plan.PlanInputs;
import org.rlhf4j.core.pretrained.PretrainedModel;
import org.rlhf4j.core.runtime.DeviceSpec;
import org.rlhf4j.core.runtime.ResidentMemory;

/**
 * The plumbing of one training run around a stage's own loop: the checkpoints and the one to
 * resume from, the device, the trained model (restored from that checkpoint or loaded fresh), the
 * trainer state, the run directory's records, the metrics log, and AdamW with its
 * {@link OptimizerStep}, both restored on resume. Closing it releases the optimizer, the log and
 * the model.
 *
 * <p>A run opens in two calls because the number of steps depends on the data and the data on the
 * model's tokenizer: {@link #open} loads the model, the trainer reads its data, and {@link #start}
 * resumes or starts the state and builds the optimizer. The loop stays in the trainer, which
 * logs, checkpoints and finally {@link #finish}es through the run. While it is open it holds the
 * output directory's {@link RunLock} and turns SIGTERM and SIGINT into a checkpoint and a stop
 * at the end of the step ({@link #stopIfSignalled}), and it installs the {@link Recompute} tape of
 * {@code train.gradient_checkpointing} and {@code train.logits_chunk_tokens} on its thread.
 */
public final class TrainingRun implements AutoCloseable {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(TrainingRun.class);

    /** Loads a fresh run's starting model onto the run's device (not called when resuming). */
    @FunctionalInterface
    public interface ModelLoader {
        PretrainedModel load(Device device) throws IOException;
    }

    private final StageConfig config;
    private final RunLock lock;
    private final StopSignals signals;
    private final CheckpointStore checkpoints;
    private final Path resumeFrom; // null for a fresh run
    private final Device device;
    private final PretrainedModel model;
    private final Map<String, String> notes = new LinkedHashMap<>();
    private final DivergenceGuard divergence;
    private final Recompute recompute; // train.gradient_checkpointing and logits_chunk_tokens for this thread
    private int totalSteps;
    private RunDefinition definition;
    private int lastCheckpointStep = -1;
    private AdamW adamW;
    private OptimizerStep optimizer;
    private MetricsLog metrics;
    private Map<String, Double> lastTrain = Map.of();
    private Map<String, Double> lastEval = Map.of();
    private long predictedPeak; // bytes, from the plan printed at start; 0 when none

    private TrainingRun(StageConfig config, RunLock lock, CheckpointStore checkpoints, Path resumeFrom, Device device,
            PretrainedModel model) throws IOException {
        this.config = config;
        this.lock = lock;
        this.signals = StopSignals.install();
        this.checkpoints = checkpoints;
        this.resumeFrom = resumeFrom;
        this.device = device;
        this.model = model;
        this.divergence = new DivergenceGuard(config.train().maxNonfiniteSteps(), config.train().maxLossSpike(),
                checkpoints, resumeFrom);
        this.recompute = Recompute.install(config.train().memory());
    }

    /**
     * Opens the run in {@code config.output_dir}: the model of its newest complete checkpoint
     * (with exact weights, see {@link CheckpointStore#loadModel}) or, for a fresh run, the one
     * {@code startingModel} loads. The run holds the output directory's {@link RunLock} until
     * it is closed, and first removes what interrupted saves left behind.
     *
     * @throws IOException when another live run holds the output directory
     */
    public static TrainingRun open(StageConfig config, ModelLoader startingModel) throws IOException {
        RunLock lock = RunLock.acquire(config.outputPath());
        try {
            CheckpointStore checkpoints = new CheckpointStore(config.outputPath(), config.modelSaveType(),
                    config.train().saveTotalLimit());
            checkpoints.removeLeftovers();
            Path resumeFrom = checkpoints.latest().orElse(null);
            Device device = new DeviceSpec(config.device()).resolve();
            if (resumeFrom == null || config.lora() != null) {
                requireModelDirectory(config.modelPath());
            }
            ModelLoader start = d -> { // a starting model given as an adapter directory trains as base + adapter
                PretrainedModel loaded = startingModel.load(d);
                loaded.mergeAdapters();
                return loaded;
            };
            PretrainedModel model = config.lora() != null
                    ? LoraRun.open(config, resumeFrom, start.load(device))
                    : CheckpointStore.restoreOrLoad(resumeFrom, device, config.computeType(), () -> start.load(device));
            return new TrainingRun(config, lock, checkpoints, resumeFrom, device, model);
        } catch (IOException | RuntimeException | Error e) {
            lock.close();
            throw e;
        }
    }

    /**
     * The state the loop starts from, the checkpoint's (once {@link ResumeGuard} finds that the
     * data stream and the rest of the {@link RunDefinition} are the same) or step 0's; then writes the resolved config and provenance,
     * makes the weights (with LoRA: the adapters only) trainable, opens the metrics log (cut back to the resumed step) and
     * builds AdamW and the optimizer step with the checkpoint's moments and skip count.
     *
     * @param rowsName what the training rows are, for the resume check's message
     *     ("the number of training pairs")
     * @param dataFiles the files hashed into the provenance record
     */
    public TrainerState start(String rowsName, int trainRows, int totalSteps, List<Path> dataFiles)
            throws IOException {
        return start(rowsName, trainRows, totalSteps, dataFiles, config.train().gradAccum());
    }

    /**
     * {@link #start(String, int, int, List)} for a stage whose steps accumulate {@code gradAccum}
     * micro-batches whatever {@code train.grad_accum} says (PPO: 1, its minibatches are steps of their
     * own); the state records it and a resume compares it.
     */
    public TrainerState start(String rowsName, int trainRows, int totalSteps, List<Path> dataFiles, int gradAccum)
            throws IOException {
        TrainConfig train = config.train();
        definition = RunDefinition.of(config, dataFiles);
        TrainerState state;
        if (resumeFrom != null) { // both checks before provenance.json is rewritten with the new hashes
            state = ResumeGuard.resume(resumeFrom, config.seed(), train, gradAccum, rowsName, trainRows, totalSteps);
            ResumeGuard.requireSameDefinition(resumeFrom, definition, train.forceResume());
        } else {
            state = TrainerState.start(config.seed(), train, gradAccum, trainRows, totalSteps);
        }
        RunDirectory.writeResolvedConfig(config.outputPath(), config);
        RunDirectory.writeProvenance(config.outputPath(), config.seed(), dataFiles, state.step());
        Map<String, NDArray> trainable = trainable();
        for (NDArray parameter : trainable.values()) {
            parameter.setRequiresGradient(true); // with LoRA the base never records a gradient
        }
        adamW = new AdamW(trainable, train.adamW(), model.manager());
        metrics = MetricsLog.open(config.outputPath().resolve(MetricsLog.FILE_NAME), state.step());
        if (resumeFrom != null) {
            CheckpointStore.loadOptimizer(resumeFrom, adamW, model.manager());
        }
        optimizer = new OptimizerStep(adamW, trainable, train.maxGradNorm(),
                train.learningRateSchedule(totalSteps));
        startStep(state.step());
        optimizer.restoreSkippedSteps(state.skippedSteps());
        this.totalSteps = totalSteps;
        printPlan();
        return state;
    }

    /**
     * Refuses a run that would feed the model a sequence of {@code longest} tokens when that is more
     * than its {@code max_position_embeddings}: rotary positions past it are ones the model was
     * never configured for, which trains without an error and quietly degrades it.
     *
     * @param what the longest sequence and where it comes from, the start of the message ("a
     *     training sequence of data.train FILE")
     * @param fix how to shorten it ("lower train.max_seq_len to at most %d to truncate it"; {@code %d}
     *     becomes the limit)
     */
    public void requireWithinPositions(int longest, String what, String fix) {
        int limit = model.config().maxPositionEmbeddings();
        if (longest > limit) {
            throw new UserException(what + " has " + longest + " tokens, more than the model's max_position_embeddings "
                    + limit + " (" + config.modelPath().resolve("config.json") + "); " + String.format(fix, limit));
        }
    }

    /** What the optimizer updates: every weight, or with LoRA the adapters (and saved modules) only. */
    private Map<String, NDArray> trainable() {
        return model.adapters() != null ? model.adapters().parameters() : model.weights();
    }

    /** Seeds the LoRA dropout of optimizer step {@code step} (0-based), so that a resume draws the same masks. */
    private void startStep(int step) {
        if (model.adapters() != null) {
            model.adapters().startStep(config.seed(), step);
        }
    }

    /** Prints what {@code rlhf4j plan} predicts for this run; the measured peak is in the summary. */
    private void printPlan() {
        try {
            MemoryPlan plan = MemoryPlanner.plan(PlanInputs.of(ConfigLoader.toTree(config), model.config()));
            predictedPeak = plan.peakBytes();
            LOG.info("predicted memory (rlhf4j plan):\n{}", plan.table().stripTrailing());
        } catch (RuntimeException e) { // a forecast must never stop a run
            LOG.info("predicted memory: unavailable ({})", e.getMessage());
        }
    }

    /** The run's {@code train} section. */
    public TrainConfig train() {
        return config.train();
    }

    /** The model being trained. */
    public PretrainedModel model() {
        return model;
    }

    /** The checkpoint this run resumes from, null for a fresh run (a stage restores its own files from it). */
    public Path resumeFrom() {
        return resumeFrom;
    }

    /** The device the model is on (a stage's other models go there too). */
    public Device device() {
        return device;
    }

    /** Clipping, AdamW at the scheduled rate and zeroed gradients; built by {@link #start}. */
    public OptimizerStep optimizer() {
        return optimizer;
    }

    /**
     * Ends optimizer step {@code step} (0-based) whose loss was {@code loss} through
     * {@link OptimizerStep#apply(int, double)}, and stops the run once too many steps in a row
     * were skipped as non-finite, or spiked ({@code train.max_loss_spike}).
     *
     * @throws TrainingDivergedException after {@code train.max_nonfinite_steps} such steps, or a
     *     run of loss spikes
     */
    public OptimizerStep.Result update(int step, double loss) {
        OptimizerStep.Result result = optimizer.apply(step, loss);
        divergence.record(step, loss, result);
        startStep(step + 1);
        return result;
    }

    /**
     * {@link #update(int, double)} for one of several minibatch updates of iteration
     * {@code iteration} (PPO): only the non-finite rule applies (PPO's loss changes sign, so the
     * loss-spike rule does not), and a divergence is reported in minibatch updates and iterations.
     */
    public OptimizerStep.Result updateMinibatch(int iteration, double loss) {
        OptimizerStep.Result result = optimizer.apply(iteration, loss);
        divergence.recordMinibatch(iteration, result);
        startStep(iteration + 1);
        return result;
    }

    /** {@link #update(int, double)}, its time logged as the {@code optimizer} phase of {@code phases}. */
    public OptimizerStep.Result update(int step, double loss, PhaseTimer phases) {
        long started = System.nanoTime();
        OptimizerStep.Result result = update(step, loss);
        phases.lap("optimizer", started);
        return result;
    }

    /** Appends a training metrics line; its numbers become the summary's {@code lastTrain}. */
    public void log(int step, Map<String, ?> line) throws IOException {
        metrics.log(step, line);
        lastTrain = numbers(line);
    }

    /** Appends an evaluation's metrics line; its numbers become the summary's {@code lastEval}. */
    public void logEval(int step, Map<String, ?> line) throws IOException {
        metrics.log(step, line);
        lastEval = numbers(line);
    }

    /**
     * Writes the checkpoint of {@code state.step()}: the model, AdamW's moments, the state and
     * the run's {@link RunDefinition}.
     *
     * @throws TrainingDivergedException when a weight is not finite (nothing is written)
     */
    public void checkpoint(TrainerState state) throws IOException {
        checkpoint(state, IoConsumer.none());
    }

    /**
     * {@link #checkpoint(TrainerState)} with the stage's further files, which {@code extraFiles}
     * writes into the staging directory so that they appear with the rest (PPO: the critic and
     * its state).
     *
     * @throws TrainingDivergedException when a weight is not finite (nothing is written)
     */
    public void checkpoint(TrainerState state, IoConsumer<Path> extraFiles) throws IOException {
        divergence.requireFinite(trainable(), "checkpoint " + checkpoints.path(state.step()));
        divergence.checkpointed(checkpoints.save(model, adamW, state, staged -> {
            definition.write(staged);
            divergence.write(staged);
            extraFiles.accept(staged);
        }));
        lastCheckpointStep = state.step();
    }

    /**
     * Called at the end of every step: after a SIGTERM or SIGINT, writes the checkpoint of
     * {@code state} (unless this step already did) and stops the run.
     *
     * @throws TrainingInterruptedException after a signal, once the checkpoint is written
     */
    public void stopIfSignalled(TrainerState state) throws IOException {
        Optional<String> signal = signals.received();
        if (signal.isEmpty()) {
            return;
        }
        if (lastCheckpointStep != state.step()) {
            checkpoint(state);
        }
        throw new TrainingInterruptedException(signal.get(), StopSignals.exitCode(signal.get()), state.step(),
                checkpoints.path(state.step()));
    }

    /** Adds a {@code name: text} line to what the summary reports. */
    public void note(String name, String text) {
        notes.put(name, text);
    }

    /**
     * Exports the final model through {@code exporter} into {@code output_dir/final} when
     * {@code state} is at the last step, and summarises the run.
     *
     * @throws TrainingDivergedException when a weight is not finite (nothing is exported)
     */
    public RunSummary finish(TrainerState state, IoConsumer<Path> exporter) throws IOException {
        if (state.step() >= totalSteps) {
            divergence.requireFinite(trainable(), config.outputPath().resolve(RunDirectory.FINAL_MODEL).toString());
        }
        Path finalModel = state.step() >= totalSteps ? RunDirectory.exportFinal(config.outputPath(), exporter) : null;
        long peak = ResidentMemory.peakBytes();
        if (peak > 0) {
            note("peak memory", MemoryPlan.gib(peak) + " resident (VmHWM)"
                    + (predictedPeak > 0 ? ", predicted " + MemoryPlan.gib(predictedPeak) : ""));
        }
        return new RunSummary(state.step(), totalSteps, resumeFrom == null ? 0 : CheckpointStore.stepOf(resumeFrom),
                lastTrain, lastEval, finalModel, state.skippedSteps(), notes);
    }

    @Override
    public void close() throws IOException {
        try (RunLock releasedLast = lock; StopSignals restoredFourth = signals; PretrainedModel closedThird = model; AdamW closedSecond = adamW;
                MetricsLog closedFirst = metrics; Recompute uninstalledFirst = recompute) {
            // try-with-resources closes in reverse order and skips the nulls of a run never started
        }
    }

    /** Names the {@code model} key when the starting model is missing or not a directory. */
    private static void requireModelDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException("model: " + dir + (Files.exists(dir) ? " is a file" : " does not exist")
                    + "; expected the starting model's Hugging Face directory (config.json, *.safetensors, tokenizer)");
        }
    }

    private static Map<String, Double> numbers(Map<String, ?> line) {
        Map<String, Double> out = new LinkedHashMap<>();
        line.forEach((k, v) -> {
            if (v instanceof Number n) {
                out.put(k, n.doubleValue());
            }
        });
        return out;
    }
}
