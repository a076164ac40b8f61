package org.rlhf4j.core.training;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where a run stands after an optimizer step: what {@code trainer_state.json} in a checkpoint
 * holds, enough (with the weights and optimizer state) to continue bit for bit.
 *
 * <p>The data position is the stream of micro-batches: {@code epoch} and {@code batchInEpoch}
 * name the next micro-batch to read, whose order follows from {@code seed} and the epoch (no
 * hidden RNG state exists: batch order is a pure function of seed and epoch, and the model has no
 * dropout). The schedule fields record what the run used, so a resume with another
 * {@code max_steps} can say that the learning rates will differ.
 *
 * @param step optimizer steps completed (1-based global step; the checkpoint's name)
 * @param epoch epoch of the next micro-batch (0-based)
 * @param batchInEpoch index of the next micro-batch within that epoch
 * @param seed the run's seed (data order: shuffled per epoch with {@code seed + epoch})
 * @param tokensSeen real (non-padding) tokens fed to the model so far
 * @param skippedSteps optimizer steps skipped for a non-finite gradient norm
 * @param maxSteps the run's total optimizer steps
 * @param schedule schedule name ({@code cosine}, ...)
 * @param peakLr the schedule's peak learning rate
 * @param warmupSteps the schedule's warmup
 * @param batchSize sequences per micro-batch (the data position depends on it)
 * @param gradAccum micro-batches per optimizer step
 * @param trainRows training sequences (a changed data set cannot resume exactly)
 * @param bestMetrics best value seen so far per metric name (lowest, for losses)
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record TrainerState(
        int step,
        int epoch,
        int batchInEpoch,
        long seed,
        long tokensSeen,
        int skippedSteps,
        int maxSteps,
        String schedule,
        double peakLr,
        int warmupSteps,
        int batchSize,
        int gradAccum,
        int trainRows,
        Map<String, Double> bestMetrics) {

    /** The file name inside a checkpoint directory. */
    public static final String FILE_NAME = "trainer_state.json";

    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    public TrainerState {
        bestMetrics = bestMetrics == null ? Map.of() : Map.copyOf(bestMetrics);
    }

    /**
     * The state of a run before its first step, under the schedule of {@code train}.
     *
     * @param gradAccum the micro-batches per optimizer step the run reads (a stage without
     *     accumulation, as PPO, records 1)
     * @param trainRows the training rows (sequences, pairs or prompts) of the data stream
     * @param maxSteps the run's total optimizer steps
     */
    public static TrainerState start(long seed, TrainConfig train, int gradAccum, int trainRows, int maxSteps) {
        return new TrainerState(0, 0, 0, seed, 0, 0, maxSteps, train.schedule(), train.lr(), train.warmupSteps(),
                train.batchSize(), gradAccum, trainRows, Map.of());
    }

    /**
     * This state after optimizer step {@code step}: the data position of the next micro-batch,
     * {@code tokens} more tokens seen and the optimizer's skip count so far.
     */
    public TrainerState advance(int step, int nextEpoch, int nextBatchInEpoch, long tokens, int skippedSteps) {
        return new TrainerState(step, nextEpoch, nextBatchInEpoch, seed, tokensSeen + tokens, skippedSteps, maxSteps,
                schedule, peakLr, warmupSteps, batchSize, gradAccum, trainRows, bestMetrics);
    }

    /**
     * This state under the schedule of {@code train} over {@code maxSteps}: a resumed run keeps its
     * data position and follows the config's schedule from there.
     */
    public TrainerState withSchedule(TrainConfig train, int maxSteps) {
        return new TrainerState(step, epoch, batchInEpoch, seed, tokensSeen, skippedSteps, maxSteps,
                train.schedule(), train.lr(), train.warmupSteps(), batchSize, gradAccum, trainRows, bestMetrics);
    }

    /** This state with {@code value} folded into the best (lowest) value of {@code metric}. */
    public TrainerState withBest(String metric, double value) {
        Double best = bestMetrics.get(metric);
        if (!Double.isFinite(value) || (best != null && best <= value)) {
            return this;
        }
        Map<String, Double> updated = new TreeMap<>(bestMetrics);
        updated.put(metric, value);
        return new TrainerState(step, epoch, batchInEpoch, seed, tokensSeen, skippedSteps, maxSteps, schedule,
                peakLr, warmupSteps, batchSize, gradAccum, trainRows, updated);
    }

    /** Serialises to the JSON of {@code trainer_state.json}. */
    public String toJson() {
        try {
            return JSON.writeValueAsString(this) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads a {@code trainer_state.json}. */
    public static TrainerState read(Path file) throws IOException {
        try {
            return JSON.readValue(file.toFile(), TrainerState.class);
        } catch (IOException e) {
            throw new IOException(file + ": not a valid trainer state: " + e.getMessage(), e);
        }
    }
}
