package org.rlhf4j.cli;

import org.rlhf4j.core.training.MetricsLog;
import org.rlhf4j.core.training.RunSummary;
import org.rlhf4j.core.training.StageConfig;

/** The lines a training command prints when it is done: what happened and where the outputs are. */
final class TrainingReport {

    private TrainingReport() {}

    /**
     * Prints {@code summary}: the resume point, the step (or the stage's {@link RunSummary#unit}) reached with the last values of
     * {@code figures} (metric names, e.g. {@code loss}, {@code eval_loss}) and the skipped steps,
     * the stage's notes, then the metrics file, its plot ({@code metrics.png}) and the final model.
     */
    static int print(RunSummary summary, StageConfig config, String... figures) {
        if (summary.resumedFromStep() > 0) {
            System.out.printf("resumed from %s %d%n", summary.unit(), summary.resumedFromStep());
        }
        System.out.printf("%s%s%n", summary.headline(figures),
                summary.skippedSteps() > 0 ? ", " + summary.skippedSteps() + " step(s) skipped for non-finite gradients" : "");
        summary.notes().forEach((name, text) -> System.out.printf("%s: %s%n", name, text));
        System.out.printf("metrics: %s%n", config.outputPath().resolve(MetricsLog.FILE_NAME));
        PlotCommand.drawQuietly(config.outputPath());
        if (summary.finalModel() != null) {
            System.out.printf("model:   %s%n", summary.finalModel());
        }
        return 0;
    }
}
