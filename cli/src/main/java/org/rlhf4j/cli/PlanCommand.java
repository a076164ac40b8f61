package org.rlhf4j.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.rlhf4j.core.config.ConfigException;
import org.rlhf4j.core.config.ConfigLoader;
import org.rlhf4j.core.model.LlamaConfig;
import org.rlhf4j.core.plan.MatmulRate;
import org.rlhf4j.core.plan.MemoryBudget;
import org.rlhf4j.core.plan.MemoryPlan;
import org.rlhf4j.core.plan.MemoryPlanner;
import org.rlhf4j.core.plan.PlanInputs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code rlhf4j plan}: a run's predicted peak memory by component and its step time, from the
 * stage config and the model's config.json alone (no weights are read), and whether it fits.
 */
@Command(name = "plan", mixinStandardHelpOptions = true,
        description = "Predict a training run's peak memory by component and its step time before any weights "
                + "load, say whether it fits, and which switch makes it fit.",
        footer = {"", "Examples:",
            "  rlhf4j plan --config configs/demo/sft.yaml",
            "  rlhf4j plan --config my-dpo.yaml --memory 24GiB --set train.batch_size=4"})
final class PlanCommand implements Callable<Integer> {

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The stage's YAML config.")
    Path config;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a config key (repeatable).")
    List<String> overrides = new ArrayList<>();

    @Mixin
    DeviceOption device;

    @Option(names = "--memory", paramLabel = "SIZE",
            description = "Memory to plan for, e.g. 24GiB, 16GB, 8000MiB (default: this machine's RAM for cpu; "
                    + "required for a GPU).")
    String memory;

    @Override
    public Integer call() throws IOException {
        ObjectNode tree = ConfigLoader.readTree(config, overrides);
        String modelKey = tree.path("model").asText("");
        if (modelKey.isBlank()) {
            throw new ConfigException(config + ": model: the starting model directory is required");
        }
        Path modelConfig = Path.of(modelKey).resolve("config.json");
        if (!Files.isRegularFile(modelConfig)) {
            throw new ConfigException(config + ": model: no config.json in " + modelKey);
        }
        PlanInputs inputs = PlanInputs.of(tree, LlamaConfig.read(modelConfig));
        MemoryPlan plan = MemoryPlanner.plan(inputs);
        Device dev = device.resolve();
        long budget = memory != null ? MemoryBudget.parse(memory, "--memory") : MemoryBudget.of(dev);
        double rate;
        try (NDManager manager = NDManager.newBaseManager(dev)) {
            rate = MatmulRate.measure(manager, 1024);
        }
        System.out.printf(Locale.ROOT, "%s of %s (%d layers, hidden %d, vocab %d): batch %d x %d tokens, grad_accum %d%n",
                inputs.stage().name().toLowerCase(Locale.ROOT), modelKey, inputs.model().numHiddenLayers(),
                inputs.model().hiddenSize(), inputs.model().vocabSize(), inputs.batchSize(), inputs.seqLen(),
                inputs.gradAccum());
        System.out.print(plan.table());
        System.out.printf(Locale.ROOT, "step time: %.1f s per optimizer step (%.2f TFLOP at %.0f%% of %.0f GFLOP/s "
                + "measured by a 1024^3 GEMM on %s)%n", plan.stepSeconds(rate * MatmulRate.TRAINING_EFFICIENCY),
                plan.stepFlops() / 1e12, MatmulRate.TRAINING_EFFICIENCY * 100, rate / 1e9, dev);
        if (budget <= 0) {
            System.out.println("memory: unknown for " + dev + "; pass --memory to get a verdict");
            return 0;
        }
        boolean fits = plan.peakBytes() <= budget;
        System.out.printf("verdict: %s in %s%n", fits ? "fits" : "does not fit", MemoryPlan.gib(budget));
        if (!fits) {
            MemoryPlanner.Option option = MemoryPlanner.whatFits(inputs, budget);
            System.out.println(option == null ? "no single switch makes it fit: a smaller model or more memory"
                    : "fits with: " + option.change() + " (predicted " + MemoryPlan.gib(option.plan().peakBytes()) + ")");
        }
        return 0;
    }
}
