package org.rlhf4j.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.rlhf4j.datasets.demo.RewardDemoFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code rlhf4j data demo-files}: writes the reward-model demo files shipped in configs/demo/data. */
@Command(name = "demo-files", mixinStandardHelpOptions = true,
        description = {"Write the standalone reward-model demo files, byte for byte those in configs/demo/data:",
            "rm-helpful-train/eval.jsonl, rm-safety-train/eval.jsonl and rm-conditional-train/eval.jsonl",
            "(fixed seeds; see the README's reward-model demo). The other demo files there are written by hand."},
        footer = {"", "Example:", "  rlhf4j data demo-files --out configs/demo/data"})
final class DataDemoFilesCommand implements Callable<Integer> {

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory to write.")
    Path out;

    @Override
    public Integer call() throws Exception {
        for (Path file : RewardDemoFiles.write(out)) {
            System.out.println(file);
        }
        return 0;
    }
}
