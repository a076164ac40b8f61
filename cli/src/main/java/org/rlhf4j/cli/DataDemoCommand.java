package org.rlhf4j.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.rlhf4j.core.config.ConfigLoader;
import org.rlhf4j.datasets.demo.DemoFiles;
import org.rlhf4j.datasets.demo.DemoTask;
import org.rlhf4j.datasets.demo.DemoTaskConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code rlhf4j data demo}: writes the embedded demo task's data sets, drawn from a seed. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Write the demo task's data sets (nothing is downloaded): sft-train/eval.jsonl (imperfect",
            "demonstrations), pref-helpful-/pref-safety-train/eval.jsonl (preference pairs with degrees and",
            "conditions), ppo-prompts.jsonl (tags, answers), eval-prompts.jsonl (held out of every training file)",
            "and pretrain.txt. Keys for --set: seed, eval_helpful, eval_unsafe, eval_lookalike, sft_eval,",
            "pref_eval_fraction, helpful_pairs_per_prompt, wrong_fact_fraction, safety_lookalike_pairs."},
        footer = {"", "Example:", "  rlhf4j data demo --out runs/demo-data --seed 1"})
final class DataDemoCommand implements Callable<Integer> {

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory to write.")
    Path out;

    @Option(names = "--seed", defaultValue = "0", description = "Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a task key, e.g. eval_helpful=50.")
    List<String> overrides = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        ObjectNode tree = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode().put("seed", seed);
        for (String override : overrides) {
            ConfigLoader.applyOverride(tree, override);
        }
        DemoFiles files = DemoTask.write(out, ConfigLoader.bind(tree, DemoTaskConfig.class, "--set"));
        for (Map.Entry<String, Path> e : files.byName().entrySet()) {
            System.out.printf("%-20s %s%n", e.getKey(), e.getValue());
        }
        return 0;
    }
}
