package org.rlhf4j.core.training;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.nio.file.Path;
import org.rlhf4j.core.lora.LoraAdapters;
import org.rlhf4j.core.lora.LoraConfig;
import org.rlhf4j.core.lora.PeftAdapterFiles;
import org.rlhf4j.core.pretrained.PretrainedModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts the adapters of a {@code lora:} run on its freshly loaded starting model: those of the
 * checkpoint being resumed, else those of {@code lora.adapter}, else new ones. The base always
 * comes from the config's {@code model} (as the stage builds it, e.g. with a reward head), since a
 * LoRA checkpoint holds only the adapters.
 */
final class LoraRun {

    private static final Logger LOG = LoggerFactory.getLogger(LoraRun.class);

    private LoraRun() {}

    /**
     * Holds {@code model}'s frozen base in {@code dtype} ({@code lora.base_dtype}), once the adapters
     * were made from the float32 base. On the CPU the projections widen their weight per call (libtorch's
     * CPU float16 matmul measured 3-4x slower forward and 200-300x slower backward than float32), so
     * the saving is the base at rest and in passes without a graph; a warning says so.
     */
    static void holdBase(PretrainedModel model, DataType dtype) {
        if (dtype == model.baseWeights().dataType()) {
            return;
        }
        long before = model.baseWeights().byteSize();
        model.holdBaseIn(dtype);
        LOG.info("lora.base_dtype {}: frozen base {} -> {} MiB", dtype, String.format("%.2f", before / 1048576.0),
                String.format("%.2f", model.baseWeights().byteSize() / 1048576.0));
        if (Device.Type.CPU.equals(model.manager().getDevice().getDeviceType())) {
            LOG.warn("lora.base_dtype float16 on the CPU: the frozen base is stored in float16 but each projection"
                    + " widens its weight to float32 to compute (CPU float16 matmul is far slower, 200x in the"
                    + " backward); this costs a cast per projection, and under autograd the widened weights live until"
                    + " the backward unless train.gradient_checkpointing recomputes layer by layer");
        }
    }

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
            holdBase(model, lora.baseDataType());
            model.attachAdapters(adapters, config.modelPath().toAbsolutePath().normalize().toString());
            return model;
        } catch (IOException | RuntimeException e) {
            model.close();
            throw e;
        }
    }
}
