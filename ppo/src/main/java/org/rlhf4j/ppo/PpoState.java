package org.rlhf4j.ppo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Path;
import org.rlhf4j.datasets.BatchOrder;

/**
 * What a PPO checkpoint adds to the shared trainer state, {@value #FILE_NAME}: the KL
 * coefficient (adaptive controllers move it) and the running reward moments. The prompt position
 * is the trainer state's (epoch, batch); sampling needs no saved RNG state because each
 * iteration's rows are drawn from generators seeded by {@code (seed, iteration * batch + row)}.
 *
 * @param klCoef the KL coefficient for the next iteration
 * @param rewardMoments running moments of the scores ({@code ppo.reward_norm: running})
 * @param groupSize {@code ppo.group_size}, which sets the prompts per sampler batch and so the saved
 *     prompt position's meaning (absent in checkpoints written before it existed: 1)
 * @param ptxPosition the next batch of {@code ppo.ptx_data} ({@link PtxBatches}); null without PPO-ptx (and in
 *     checkpoints written before it existed: the start)
 */
record PpoState(double klCoef, RunningMoments rewardMoments, Integer groupSize, BatchOrder.Position ptxPosition) {

    PpoState {
        groupSize = groupSize == null ? 1 : groupSize;
    }

    /** A state without PPO-ptx. */
    PpoState(double klCoef, RunningMoments rewardMoments, Integer groupSize) {
        this(klCoef, rewardMoments, groupSize, null);
    }

    static final String FILE_NAME = "ppo_state.json";

    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT);

    String toJson() {
        try {
            return JSON.writeValueAsString(this) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static PpoState read(Path checkpoint) throws IOException {
        Path file = checkpoint.resolve(FILE_NAME);
        try {
            return JSON.readValue(file.toFile(), PpoState.class);
        } catch (IOException e) {
            throw new IOException(file + ": not a valid PPO state: " + e.getMessage(), e);
        }
    }
}
