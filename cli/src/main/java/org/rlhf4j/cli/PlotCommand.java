package org.rlhf4j.cli;

import java.awt.AWTError;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.rlhf4j.cli.pipeline.MetricsPlot;
import org.rlhf4j.core.config.UserException;
import org.rlhf4j.core.training.MetricsLog;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code rlhf4j plot}: a run directory's {@code metrics.jsonl} as one PNG. */
@Command(name = "plot", mixinStandardHelpOptions = true,
        description = {"Draws a training run's metrics.jsonl as one PNG: at most six large panels, reward, KL, loss"
                + " and accuracy first, then learning rate and gradient norm; each curve as logged (faint) with"
                + " a smoothed line, eval_ curves as points. Every training command also writes"
                + " OUTPUT_DIR/metrics.png when it ends."},
        footer = {"", "Examples:", "  rlhf4j plot runs/demo/sft", "  rlhf4j plot runs/demo/ppo --out ppo.png"})
final class PlotCommand implements Callable<Integer> {

    /** The plot a training command leaves beside its metrics file. */
    static final String FILE_NAME = "metrics.png";

    @Parameters(index = "0", paramLabel = "RUN_DIR", description = "A stage's output directory (has metrics.jsonl).")
    Path runDir;

    @Option(names = "--out", paramLabel = "FILE.png", description = "The PNG to write (default: RUN_DIR/metrics.png).")
    Path out;

    @Override
    public Integer call() throws Exception {
        Path metrics = runDir.resolve(MetricsLog.FILE_NAME);
        if (!Files.isRegularFile(metrics)) {
            throw new UserException(metrics + ": no such file; RUN_DIR must be a training stage's output_dir,"
                    + " which holds " + MetricsLog.FILE_NAME);
        }
        Path png = out != null ? out : runDir.resolve(FILE_NAME);
        List<String> panels = MetricsPlot.write(metrics, title(runDir), png);
        if (panels.isEmpty()) {
            System.out.printf("%s has no numeric metrics to draw; nothing written%n", metrics);
        } else {
            System.out.printf("plot:    %s (%s)%n", png, String.join(", ", panels));
        }
        return 0;
    }

    /**
     * Writes {@code runDir}'s {@link #FILE_NAME} and prints where, or why not: a plot is a
     * convenience, so a failure to draw it (no display libraries, a bad line) never fails the run.
     */
    static void drawQuietly(Path runDir) {
        Path png = runDir.resolve(FILE_NAME);
        try {
            if (!MetricsPlot.write(runDir.resolve(MetricsLog.FILE_NAME), title(runDir), png).isEmpty()) {
                System.out.printf("plot:    %s%n", png);
            }
        } catch (Exception | LinkageError | AWTError e) {
            System.out.printf("plot:    not drawn (%s); `rlhf4j plot %s` retries%n", e, runDir);
        }
    }

    private static String title(Path runDir) {
        Path name = runDir.toAbsolutePath().normalize().getFileName();
        return name == null ? "run" : name.toString();
    }
}
