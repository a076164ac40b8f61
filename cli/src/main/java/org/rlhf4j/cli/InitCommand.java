package org.rlhf4j.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.rlhf4j.core.config.ConfigLoader;
import org.rlhf4j.core.pretrained.InitConfig;
import org.rlhf4j.core.pretrained.ModelInitializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code rlhf4j init}: a new random model of the shape in a config. */
@Command(name = "init", mixinStandardHelpOptions = true,
        description = "Create a new random model (Hugging Face directory) of the shape in a config.",
        footer = {"", "Example:", "  rlhf4j init --config configs/model/tiny.yaml --out runs/tiny"})
final class InitCommand implements Callable<Integer> {

    @Option(names = "--config", required = true, paramLabel = "FILE",
            description = "YAML with seed, tokenizer (byte or a directory) and model: (config.json keys).")
    Path config;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Model directory to write.")
    Path out;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a config key, e.g. model.hidden_size=64.")
    List<String> overrides = List.of();

    @Override
    public Integer call() throws Exception {
        InitConfig init = ConfigLoader.load(config, overrides, InitConfig.class);
        ModelInitializer.Result result = ModelInitializer.create(init, out, config.toString());
        System.out.printf("wrote %s: %s, %,d parameters (%d layers, hidden %d, %d heads / %d kv heads, vocab %d)%n",
                out, result.config().architecture().hfName(), result.parameterCount(),
                result.config().numHiddenLayers(), result.config().hiddenSize(), result.config().numAttentionHeads(),
                result.config().numKeyValueHeads(), result.config().vocabSize());
        return 0;
    }
}
