package org.rlhf4j.cli;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.rlhf4j.core.config.UserException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code rlhf4j demo}: the embedded end-to-end pipeline, {@code configs/demo/pipeline.yaml}. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run the embedded end-to-end demo: a results table and a report, no download.",
            "It runs configs/demo/pipeline.yaml (from the working directory, else from the",
            "repository of the jar): the demo task's data, a tiny base model (init +",
            "pretrain), SFT, a helpfulness and a safety reward model, PPO (safety gate +",
            "exact-answer rule), DPO, and evaluation of base, SFT, PPO and DPO with a",
            "results table and OUT/report.md (about 6 minutes on 2 CPU cores)."},
        footer = {"", "Examples:",
            "  rlhf4j demo",
            "  rlhf4j demo --out runs/demo2 --set sft.train.max_steps=100",
            "  rlhf4j demo --set ppo.train.max_steps=30 --set dpo.dpo.beta=0.2",
            "  rlhf4j demo --seeds 3 --out runs/demo-seeds"})
final class DemoCommand implements Callable<Integer> {

    /** Where the demo pipeline lives, relative to the repository root. */
    static final Path PIPELINE = Path.of("configs", "demo", "pipeline.yaml");

    @Option(names = "--out", description = "Run directory (default: ${DEFAULT-VALUE}).")
    Path out = Path.of("runs", "demo");

    @Option(names = "--force", description = "Run every stage again, finished or not.")
    boolean force;

    @Option(names = "--set", paramLabel = "STAGE.KEY=VALUE",
            description = "Override a stage's config key, e.g. sft.train.max_steps=100 (repeatable).")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--seeds", paramLabel = "N", description = "Run N seeds into OUT/seed-K and summarise the"
            + " results over them in OUT/seeds.md (default: ${DEFAULT-VALUE}).")
    int seeds = 1;

    @Override
    public Integer call() throws Exception {
        return PipelineCommand.run(locate(), out, force, overrides, seeds);
    }

    /** configs/demo/pipeline.yaml under the working directory, else under the repository the jar was built in. */
    static Path locate() {
        if (Files.isRegularFile(PIPELINE)) {
            return PIPELINE;
        }
        try {
            Path jar = Path.of(DemoCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (Path dir = jar.getParent(); dir != null; dir = dir.getParent()) {
                if (Files.isRegularFile(dir.resolve(PIPELINE))) {
                    return dir.resolve(PIPELINE); // the demo pipeline has no relative paths but --out's
                }
            }
        } catch (URISyntaxException | SecurityException | NullPointerException unknownLocation) {
            // fall through to the plain message
        }
        throw new UserException(PIPELINE + ": not found; run rlhf4j demo from the repository root,"
                + " or rlhf4j pipeline --config FILE");
    }
}
