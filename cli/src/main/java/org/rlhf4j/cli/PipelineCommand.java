package org.rlhf4j.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.rlhf4j.cli.pipeline.PipelineConfig;
import org.rlhf4j.cli.pipeline.PipelineReport;
import org.rlhf4j.cli.pipeline.PipelineRunner;
import org.rlhf4j.cli.pipeline.SeedSweep;
import org.rlhf4j.cli.pipeline.StageRunners;
import org.rlhf4j.core.config.ConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code rlhf4j pipeline}: runs a list of stages in order, outputs feeding the next. */
@Command(name = "pipeline", mixinStandardHelpOptions = true,
        description = {"Run a pipeline file's stages in order, the outputs of one feeding the next.",
            "Each stage runs in OUT/<name>/; configs refer to earlier outputs as",
            "$${stage.output} (e.g. model: $${sft.final}). Finished stages are skipped unless",
            "--force, a changed config or a changed input. Writes OUT/report.md with the",
            "eval tables and plots of the training curves."},
        footer = {"", "Examples:",
            "  rlhf4j pipeline --config configs/demo/pipeline.yaml --out runs/demo",
            "  rlhf4j pipeline --config my.yaml --set sft.train.max_steps=50 --force"})
final class PipelineCommand implements Callable<Integer> {

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The pipeline file (YAML).")
    Path config;

    @Option(names = "--out", paramLabel = "DIR", description = "Run directory (default: the file's out:).")
    Path out;

    @Option(names = "--force", description = "Run every stage, finished or not.")
    boolean force;

    @Option(names = "--set", paramLabel = "STAGE.KEY=VALUE",
            description = "Override a stage's config key, e.g. sft.train.max_steps=50 (repeatable).")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--seeds", paramLabel = "N", description = "Run N seeds into OUT/seed-K and summarise the eval"
            + " tables over them in OUT/seeds.md (default: ${DEFAULT-VALUE}, one plain run).")
    int seeds = 1;

    @Override
    public Integer call() throws Exception {
        return run(config, out, force, overrides, seeds);
    }

    /** Runs {@code file} (once, or once per seed) and prints where the report went (shared with {@code rlhf4j demo}). */
    static int run(Path file, Path out, boolean force, List<String> overrides, int seeds) throws Exception {
        StageRunners runners = StageRunners.defaults();
        PipelineConfig pipeline = PipelineConfig.load(file, runners);
        Path runDir = out != null ? out : pipeline.out() != null ? Path.of(pipeline.out()) : null;
        if (runDir == null) {
            throw new ConfigException(file + ": no run directory: set out: in the file or pass --out DIR");
        }
        if (seeds != 1) {
            SeedSweep.Result sweep = new SeedSweep(new PipelineRunner(runners)).run(pipeline, runDir, force, overrides,
                    seeds);
            System.out.printf("%n%s%nover %d seeds: %s (runs in %s/seed-*)%n", Files.readString(sweep.markdown()),
                    seeds, sweep.markdown(), runDir);
            return 0;
        }
        PipelineRunner.Result result = new PipelineRunner(runners).run(pipeline, runDir, force, overrides);
        System.out.print(PipelineReport.resultTables(result.stages()));
        System.out.printf("%nreport: %s%n", result.report());
        return 0;
    }
}
