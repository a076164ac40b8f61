package org.rlhf4j.sft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlhf4j.core.io.FloatTensor;
import org.rlhf4j.core.io.SafetensorsReader;
import org.rlhf4j.core.training.CheckpointStore;
import org.rlhf4j.core.training.TrainConfig;
import org.rlhf4j.core.training.TrainingDivergedException;
import org.rlhf4j.datasets.TrainingSequence;
import org.rlhf4j.testing.TinyModels;

/** Issue 14, item 1: {@code train.lr=1e9} stops as diverged instead of exporting garbage with exit 0. */
class DivergenceTest {

    @TempDir
    Path dir;

    @Test
    void aDivergedRunStopsKeepsTheLastFiniteCheckpointAndWritesNoFinalModel() throws Exception {
        Path model = TinyModels.llama(dir.resolve("model"), 32, 2, 5);
        List<TrainingSequence> rows = SftFixtures.tokenized(SftFixtures.additions(16), 64);
        Path out = dir.resolve("out");
        // save every step and keep 1: without the guard the good checkpoint would be pruned
        TrainConfig train = new TrainConfig(30, null, 4, 1, 1e9, 0, "constant", 0.0, 1.0, 64, 1, 0, 1, 1, 3, null);
        SftTrainer trainer = new SftTrainer(SftFixtures.config(model, out, train),
                (t, n) -> TrainingData.of(rows, List.of()));

        TrainingDivergedException e = assertThrows(TrainingDivergedException.class, trainer::run);

        assertTrue(e.getMessage().contains("training diverged"), e.getMessage());
        assertFalse(Files.exists(out.resolve("final")), "no final model from diverged weights");
        String named = e.getMessage().replaceAll("(?s).*the last checkpoint before it is (\\S+?);.*", "$1");
        Path kept = Path.of(named);
        assertTrue(CheckpointStore.isComplete(kept), e.getMessage());
        for (FloatTensor t : SafetensorsReader.readFloats(kept.resolve("model.safetensors")).values()) {
            for (float v : t.values()) {
                assertTrue(Float.isFinite(v), "the named checkpoint is finite");
            }
        }
        // the kept checkpoint survived save_total_limit 1 next to the newest one
        assertTrue(new CheckpointStore(out, null, 1).complete().contains(kept));
        assertEquals(1, new CheckpointStore(out, null, 1).complete().stream().filter(kept::equals).count());
    }
}
