package org.rlhf4j.core.training;

import ai.djl.ndarray.types.DataType;
import java.nio.file.Path;
import org.rlhf4j.core.io.SaveDtype;
import org.rlhf4j.core.lora.LoraConfig;

/**
 * The keys every training stage's config has at its top level, and the values derived from them
 * once for all stages. Each stage's record declares these components (validated in its compact
 * constructor with {@link StageKeys}) next to its own {@code data:} and stage sections.
 *
 * <p>The keys are {@code model}, {@code output_dir}, {@code seed}, {@code device}, {@code dtype},
 * {@code save_dtype}, {@code train:} and {@code lora:}; each stage's record documents them, since what they mean
 * differs a little per stage (what {@code seed} also seeds, what else {@code output_dir} holds).
 */
public interface StageConfig {

    String model();

    String outputDir();

    Long seed();

    String device();

    String dtype();

    String saveDtype();

    TrainConfig train();

    /** The {@code lora:} section, or null for full fine-tuning. */
    LoraConfig lora();

    default Path modelPath() {
        return Path.of(model());
    }

    default Path outputPath() {
        return Path.of(outputDir());
    }

    /** The engine dtype the model computes in. */
    default DataType computeType() {
        return StageKeys.computeType(dtype());
    }

    /** The dtype the model files are written in. */
    default SaveDtype modelSaveType() {
        return SaveDtype.fromName(saveDtype());
    }
}
