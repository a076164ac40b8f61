package org.rlhf4j.core.training;

import java.io.IOException;
import java.nio.file.Path;
import org.rlhf4j.core.lora.LoraAdapters;
import org.rlhf4j.core.lora.LoraConfig;
import org.rlhf4j.core.lora.PeftAdapterFiles;
import org.rlhf4j.core.pretrained.PretrainedModel;

/**
 * Puts the adapters of a {@code lora:} run on its freshly loaded starting model: those of the
 * checkpoint being resumed, else those of {@code lora.adapter}, else new ones. The base always
 * comes from the config's {@code model} (as the stage builds it, e.g. with a reward head), since a
 * LoRA checkpoint holds only the adapters.
 */
final class LoraRun {

    private LoraRun() {}

    /** Attaches the run's adapters to {@code model} and returns it; closes it on failure. */
    static PretrainedModel open(StageConfig config, Path resumeFrom, PretrainedModel model) throws IOException {
        try {
            LoraConfig lora = config.lora();
            if (model.model().hasScoreHead()) {
                lora = lora.savingAlso("score"); // the head is trained and saved, as PEFT's SEQ_CLS does
            }
            LoraAdapters adapters;
            if (resumeFrom != null) {
                adapters = PeftAdapterFiles.load(resumeFrom, model.baseWeights(), model.manager());
            } else if (lora.adapterPath() != null) {
                adapters = PeftAdapterFiles.load(lora.adapterPath(), model.baseWeights(), model.manager());
            } else {
                adapters = LoraAdapters.create(lora, model.baseWeights(), model.manager(), config.seed());
            }
            model.attachAdapters(adapters, config.modelPath().toAbsolutePath().normalize().toString());
            return model;
        } catch (IOException | RuntimeException e) {
            model.close();
            throw e;
        }
    }
}
