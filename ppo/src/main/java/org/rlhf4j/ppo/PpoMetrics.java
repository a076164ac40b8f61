package org.rlhf4j.ppo;

import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.rlhf4j.core.rollout.Completion;
import org.rlhf4j.core.rollout.FinishReason;
import org.rlhf4j.core.runtime.ResidentMemory;
import org.rlhf4j.core.training.MetricsLog;
import org.rlhf4j.core.training.ProgressBar;
import org.rlhf4j.core.training.TrainingRun;

/**
 * What a PPO run reports: {@code metrics.jsonl}, one line per logged iteration under TRL's metric
 * names (and, with group advantages, TRL's GRPO trainer's names too); {@link PpoTrainer#SAMPLES_FILE}, a few prompts with their responses and scores now and
 * then; the progress bar on stderr. Both files are cut back to the resumed iteration when a run
 * resumes.
 */
final class PpoMetrics implements AutoCloseable {

    private final TrainingRun run;
    private final MetricsLog samples;
    private final PpoOptions.Samples sampling;
    private final int total;
    private final ProgressBar progress;

    private PpoMetrics(TrainingRun run, MetricsLog samples, PpoOptions.Samples sampling, int total,
            int resumedIteration) {
        this.run = run;
        this.samples = samples;
        this.sampling = sampling;
        this.total = total;
        this.progress = ProgressBar.onStderr("iteration", "tok/s", total, resumedIteration);
    }

    /**
     * Reports through {@code run}'s metrics log and opens the samples file in {@code config}'s output
     * directory, for a run of {@code total} iterations resumed after {@code resumedIteration}.
     */
    static PpoMetrics open(TrainingRun run, PpoConfig config, int resumedIteration, int total) throws IOException {
        return new PpoMetrics(run, MetricsLog.open(config.outputPath().resolve(PpoTrainer.SAMPLES_FILE),
                resumedIteration), config.ppo().samples(), total, resumedIteration);
    }

    /**
     * One iteration's metrics line, in the order the file shows them; {@code elapsed} nanoseconds.
     * Without a critic the value keys are left out; with dynamic sampling ({@code rollout}) its
     * generation rounds and the mean score of every response it generated are logged.
     */
    static Map<String, Object> line(Experience exp, DynamicSampling.Rollout rollout, UpdateStats update,
            PpoOptions ppo, PhaseClock clock, long elapsed) {
        Map<String, Object> line = new LinkedHashMap<>();
        double meanKl = exp.meanKl();
        double nonScore = -ppo.kl().rewardCoef(exp.klCoef()) * meanKl;
        // the scores after source whitening and the EOS penalty, before reward_norm and reward_clip
        double score = Arrays.stream(exp.scores()).average().orElse(Double.NaN);
        double[][] negLogps = new double[exp.rows()][];
        for (int i = 0; i < exp.rows(); i++) {
            negLogps[i] = Arrays.stream(exp.logps()[i]).map(x -> -x).toArray();
        }
        line.put("objective/kl", meanKl);
        line.put("objective/kl_coef", exp.klCoef());
        line.put("objective/entropy", exp.meanSequenceSum(negLogps));
        line.put("objective/non_score_reward", nonScore);
        line.put("objective/rlhf_reward", score + nonScore);
        line.put("objective/scores", exp.meanRawScore());
        line.put("objective/scores_used", score);
        for (Map.Entry<String, double[]> e : exp.rewardScores().perSource().entrySet()) {
            double m = Arrays.stream(e.getValue()).filter(x -> !Double.isNaN(x)).average().orElse(Double.NaN);
            if (!Double.isNaN(m)) {
                line.put("objective/scores/" + e.getKey(), m);
            }
        }
        if (!Double.isNaN(exp.rewardScores().safetyFraction())) {
            line.put("objective/safety_fraction", exp.rewardScores().safetyFraction());
        }
        line.put("policy/approxkl", update.approxKl());
        line.put("policy/clipfrac", update.policyClipfrac());
        line.put("policy/entropy", update.entropy());
        line.put("policy/logprob_mismatch", update.logprobMismatch());
        line.put("loss/policy", update.policyLoss());
        if (ppo.ptx().enabled()) {
            line.put("ptx_loss", update.ptxLoss());
        }
        boolean withCritic = ppo.advantage().estimator().needsCritic();
        if (withCritic) {
            line.put("loss/value", update.valueLoss());
            line.put("val/clipfrac", update.valueClipfrac());
            line.put("val/mean", exp.meanToken(exp.values()));
        }
        line.put("val/num_eos_tokens", exp.batch().rows().stream()
                .filter(r -> r.finishReason() == FinishReason.EOS).count());
        line.put("response_length/mean", exp.meanSequenceSum(exp.mask()));
        line.put("ppo/epochs", (double) update.epochs()); // written as 2.0, as it always was
        line.put("learning_rate", update.learningRate());
        line.put("grad_norm/actor", update.actorGradNorm());
        if (withCritic) {
            line.put("grad_norm/critic", update.criticGradNorm());
        } else {
            groupLine(line, exp, update, ppo.advantage().groupSize());
        }
        if (ppo.advantage().dynamicSampling()) {
            line.put("dynamic_sampling/rounds", (double) rollout.samplerBatches());
            line.put("dynamic_sampling/sampled_reward", rollout.sampledScore());
        }
        line.put("time/generation", clock.generation / 1e9);
        line.put("time/scoring", clock.scoring() / 1e9);
        line.put("time/training", clock.training / 1e9);
        line.put("time/iteration", elapsed / 1e9);
        line.put("time/generation_fraction", clock.generation / (double) Math.max(1, elapsed));
        long peak = ResidentMemory.peakBytes();
        if (peak > 0) {
            line.put("memory/peak_rss_mb", peak / (1024.0 * 1024.0));
        }
        return line;
    }

    /**
     * TRL's GRPO trainer's metrics: the raw combined scores' mean, mean group std and share of groups
     * that tie, the rollout's mean per-token KL to the reference, the clip ratios (low: ratio below
     * {@code 1 - clip_low} with A &lt; 0; high: above {@code 1 + clip_high} with A &gt; 0; region: either),
     * response lengths and the share cut at {@code max_new_tokens}, the mean per-token entropy.
     */
    private static void groupLine(Map<String, Object> line, Experience exp, UpdateStats update, int groupSize) {
        double[] raw = exp.rewardScores().rawCombined();
        double[] std = GroupAdvantages.groupStd(raw, groupSize);
        line.put("reward", Arrays.stream(raw).average().orElse(Double.NaN));
        line.put("reward_std", Arrays.stream(std).average().orElse(Double.NaN));
        line.put("frac_reward_zero_std", GroupAdvantages.zeroStdFraction(std));
        line.put("kl", exp.meanToken(exp.kl()));
        line.put("clip_ratio/low_mean", update.clipLow());
        line.put("clip_ratio/high_mean", update.clipHigh());
        line.put("clip_ratio/region_mean", update.clipLow() + update.clipHigh()); // disjoint: A < 0 vs A > 0
        line.put("completions/mean_length", exp.meanSequenceSum(exp.mask()));
        line.put("completions/clipped_ratio", exp.batch().rows().stream()
                .filter(r -> r.finishReason() == FinishReason.LENGTH).count() / (double) Math.max(1, exp.rows()));
        line.put("entropy", update.entropy());
    }

    /**
     * Reports iteration {@code done}, which started at {@code started} (nanoTime): its metrics
     * {@code line} when {@code logged}, samples when due, the progress bar.
     */
    void report(int done, boolean logged, Map<String, Object> line, Experience exp, UpdateStats update, long started)
            throws IOException {
        if (logged) {
            run.log(done, line);
        }
        if (sampling.dueAt(done, total)) {
            writeSamples(done, exp);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        // reward and KL tell whether PPO works; its surrogate loss hovers near 0 by construction
        progress.update(done, figures(exp), exp.responseTokens() / seconds, logged);
        if (logged) {
            progress.message(String.format("iteration %d: score %.3f, kl %.3f, kl_coef %.4f", done, exp.meanRawScore(),
                    exp.meanKl(), exp.klCoef()));
        }
    }

    /** The progress line's figures: the mean raw score and KL of the iteration's rollout. */
    static String figures(Experience exp) {
        return String.format(java.util.Locale.ROOT, "score %.3f | kl %.4f", exp.meanRawScore(), exp.meanKl());
    }

    /** The first {@code sample_count} rows of {@code exp}. */
    private void writeSamples(int done, Experience exp) throws IOException {
        for (int i = 0; i < Math.min(sampling.count(), exp.rows()); i++) {
            Map<String, Object> sample = new LinkedHashMap<>();
            Completion row = exp.batch().rows().get(i);
            sample.put("prompt", exp.prompts().get(i).userText());
            sample.put("response", row.responseText());
            sample.put("finish_reason", row.finishReason().jsonName());
            sample.put("score", exp.scores()[i]);
            Map<String, Double> perSource = new LinkedHashMap<>();
            for (Map.Entry<String, double[]> e : exp.rewardScores().perSource().entrySet()) {
                if (!Double.isNaN(e.getValue()[i])) {
                    perSource.put(e.getKey(), e.getValue()[i]);
                }
            }
            sample.put("scores", perSource);
            samples.log(done, sample);
        }
    }

    /** Ends the progress bar's line and closes the samples file (the run closes the metrics log). */
    @Override
    public void close() throws IOException {
        progress.finish();
        samples.close();
    }
}
