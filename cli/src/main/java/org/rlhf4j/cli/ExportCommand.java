package org.rlhf4j.cli;

import ai.djl.ndarray.types.DataType;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.rlhf4j.core.config.UserException;
import org.rlhf4j.core.io.SaveDtype;
import org.rlhf4j.core.lora.PeftAdapterFiles;
import org.rlhf4j.core.pretrained.PretrainedModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code rlhf4j export}: rewrite a model directory, optionally in another dtype. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Write a model as a Hugging Face directory (safetensors, config, tokenizer).",
        footer = {"", "Examples:", "  rlhf4j export --model runs/sft/final --out runs/sft-bf16 --dtype bfloat16",
                "  rlhf4j export --model runs/sft-lora/final --out runs/sft-merged --merge"})
final class ExportCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Model directory to read.")
    Path model;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory to write.")
    Path out;

    @Option(names = "--dtype", defaultValue = "float32", paramLabel = "DTYPE",
            description = "float32 | bfloat16 | float16 (default: ${DEFAULT-VALUE}).")
    String dtype;

    @Option(names = "--merge", description = "--model is a LoRA adapter (adapter_config.json): fold it into its base"
            + " (W + alpha/r * B A) and write a plain Hugging Face model.")
    boolean merge;

    @Mixin
    DeviceOption device = new DeviceOption();

    @Override
    public Integer call() throws Exception {
        SaveDtype saveDtype = SaveDtype.fromName(dtype);
        if (model.toAbsolutePath().normalize().equals(out.toAbsolutePath().normalize())) {
            throw new UserException("--out must differ from --model (" + out + ")");
        }
        try (PretrainedModel m = PretrainedModel.load(model, device.resolve(), DataType.FLOAT32)) {
            if (merge && m.adapters() == null) {
                throw new UserException("--merge: " + model + " holds no LoRA adapter ("
                        + PeftAdapterFiles.CONFIG_FILE + "); it is a full model already");
            }
            if (merge) {
                m.saveMerged(out, saveDtype);
            } else {
                m.save(out, saveDtype); // an adapter stays an adapter
            }
            System.out.printf("wrote %s (%s, %s, %,d parameters)%n", out, m.config().architecture().hfName(),
                    saveDtype.torchName(), m.parameterCount());
        }
        return 0;
    }
}
