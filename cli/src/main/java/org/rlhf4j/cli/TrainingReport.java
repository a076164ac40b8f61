package org.rlhf4j.cli;

import java.util.Map;
import org.rlhf4j.core.training.MetricsLog;
import org.rlhf4j.dpo.DpoConfig;
import org.rlhf4j.dpo.DpoTrainer;
import org.rlhf4j.reward.RewardConfig;
import org.rlhf4j.reward.RewardTrainer;
import org.rlhf4j.sft.SftConfig;
import org.rlhf4j.sft.SftTrainer;

/** The lines a training command prints when it is done: what happened and where the outputs are. */
final class TrainingReport {

    private TrainingReport() {}

    static int print(SftTrainer.Summary summary, SftConfig config) {
        if (summary.resumedFromStep() > 0) {
            System.out.printf("resumed from step %d%n", summary.resumedFromStep());
        }
        System.out.printf("trained to step %d/%d: loss %.4f%s%s%n", summary.step(), summary.totalSteps(),
                summary.lastLoss(),
                Double.isNaN(summary.lastEvalLoss()) ? "" : String.format(", eval_loss %.4f", summary.lastEvalLoss()),
                summary.skippedSteps() > 0 ? ", " + summary.skippedSteps() + " step(s) skipped for non-finite gradients" : "");
        System.out.printf("metrics: %s%n", config.outputPath().resolve(MetricsLog.FILE_NAME));
        if (summary.finalModel() != null) {
            System.out.printf("model:   %s%n", summary.finalModel());
        }
        return 0;
    }

    static int print(DpoTrainer.Summary summary, DpoConfig config) {
        if (summary.resumedFromStep() > 0) {
            System.out.printf("resumed from step %d%n", summary.resumedFromStep());
        }
        Map<String, Double> eval = summary.lastEval();
        System.out.printf("trained to step %d/%d: loss %.4f%s%s%n", summary.step(), summary.totalSteps(),
                summary.lastTrain().getOrDefault("loss", Double.NaN),
                eval.isEmpty() ? "" : String.format(", eval_loss %.4f, eval_rewards/accuracies %.3f,"
                        + " eval_rewards/margins %.4f", eval.get("eval_loss"), eval.get("eval_rewards/accuracies"),
                        eval.get("eval_rewards/margins")),
                summary.skippedSteps() > 0 ? ", " + summary.skippedSteps() + " step(s) skipped for non-finite gradients" : "");
        System.out.printf("reference: %s%n", config.dpo().precomputed()
                ? (summary.referenceFromCache() ? "cached log-probs reused" : "log-probs precomputed and cached")
                : "frozen model " + config.referencePath());
        System.out.printf("metrics: %s%n", config.outputPath().resolve(MetricsLog.FILE_NAME));
        if (summary.finalModel() != null) {
            System.out.printf("model:   %s%n", summary.finalModel());
        }
        return 0;
    }

    static int print(RewardTrainer.Summary summary, RewardConfig config) {
        if (summary.resumedFromStep() > 0) {
            System.out.printf("resumed from step %d%n", summary.resumedFromStep());
        }
        System.out.printf("trained to step %d/%d: loss %.4f, accuracy %.3f%s%s%n", summary.step(), summary.totalSteps(),
                summary.lastLoss(), summary.lastAccuracy(),
                Double.isNaN(summary.lastEvalLoss()) ? "" : String.format(", eval_loss %.4f, eval_accuracy %.3f",
                        summary.lastEvalLoss(), summary.lastEvalAccuracy()),
                summary.skippedSteps() > 0 ? ", " + summary.skippedSteps() + " step(s) skipped for non-finite gradients" : "");
        System.out.printf("metrics: %s%n", config.outputPath().resolve(MetricsLog.FILE_NAME));
        if (summary.finalModel() != null) {
            System.out.printf("model:   %s%n", summary.finalModel());
        }
        return 0;
    }
}
