package org.rlhf4j.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.rlhf4j.cli.eval.DemoEvalResult;
import org.rlhf4j.cli.eval.DemoEvaluator;
import org.rlhf4j.cli.eval.EvalTable;
import org.rlhf4j.core.config.UserException;
import org.rlhf4j.core.io.AtomicFiles;
import org.rlhf4j.datasets.demo.DemoPrompt;
import org.rlhf4j.datasets.demo.DemoTask;
import org.rlhf4j.datasets.demo.DemoTaskConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code rlhf4j eval}: task metrics of one model with 95% confidence intervals. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Evaluate a model on a task's held-out prompts, with 95%% intervals.",
            "Demo task: accuracy on arithmetic, refusal rate on unsafe requests and",
            "over-refusal rate on safe look-alikes (greedy answers, Wilson intervals),",
            "mean response length and, with --reference, the KL to the reference: the",
            "mean summed log-ratio of one response per prompt sampled at temperature 1",
            "(bootstrap intervals)."},
        footer = {"", "Examples:",
            "  rlhf4j eval --model runs/demo/sft/final --task demo",
            "  rlhf4j eval --model runs/demo/ppo/final --task demo --reference runs/demo/sft/final --out ppo-eval.json"})
final class EvalCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Model directory.")
    Path model;

    @Option(names = "--task", required = true, paramLabel = "NAME", description = "The task: demo.")
    String task;

    @Option(names = "--prompts", paramLabel = "FILE",
            description = "Evaluation prompts (eval-prompts.jsonl of `rlhf4j data demo`); default: the task's held-out"
                    + " prompts for --task-seed.")
    Path prompts;

    @Option(names = "--task-seed", defaultValue = "0",
            description = "Seed of the task's data when --prompts is not given (default: ${DEFAULT-VALUE}).")
    long taskSeed;

    @Option(names = "--reference", paramLabel = "DIR", description = "Reference model for the KL estimate.")
    Path reference;

    @Option(names = "--out", paramLabel = "FILE", description = "Write every number and graded response as JSON.")
    Path out;

    @Option(names = "--batch-size", defaultValue = "48", description = "Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--max-new-tokens", defaultValue = "40", description = "Default: ${DEFAULT-VALUE}.")
    int maxNewTokens;

    @Option(names = "--seed", defaultValue = "0", description = "KL samples and bootstrap (default: ${DEFAULT-VALUE}).")
    long seed;

    @Mixin
    DeviceOption device = new DeviceOption();

    @Mixin
    ChatTemplateOption template = new ChatTemplateOption();

    @Override
    public Integer call() throws Exception {
        if (!task.equals("demo")) {
            throw new UserException("--task: unknown task '" + task + "' (known: demo)");
        }
        List<DemoPrompt> evalPrompts = prompts != null ? DemoTask.readPrompts(prompts)
                : DemoTask.generate(DemoTaskConfig.withSeed(taskSeed)).evalPrompts();
        DemoEvalResult result = DemoEvaluator.evaluate(model, reference, evalPrompts,
                new DemoEvaluator.Options(batchSize, maxNewTokens, seed, device.resolve(), template.chatTemplate));
        System.out.print(new EvalTable().add(model.toString(), result.toJson(false)).text());
        System.out.printf("%d prompts; 95%% intervals: Wilson for rates, bootstrap for length and KL%n", evalPrompts.size());
        if (out != null) {
            AtomicFiles.writeString(out, result.toJson(true).toPrettyString() + "\n");
            System.out.printf("wrote %s%n", out);
        }
        return 0;
    }
}
