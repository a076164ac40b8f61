package org.rlhf4j.datasets.demo;

import static org.rlhf4j.core.config.ConfigChecks.within;

import org.rlhf4j.core.config.ConfigException;

/**
 * How the demo task's data sets are drawn (the {@code data} pipeline stage's config). Every key
 * has a default; {@code null} means the default.
 *
 * @param seed fixes every choice: held-out prompts, splits, mistakes, rejected responses (default 0)
 * @param evalHelpful held-out arithmetic prompts, at most one per fact (default 80, at most 100)
 * @param evalUnsafe held-out unsafe prompts (default 32, at most 64)
 * @param evalLookalike held-out look-alike prompts (default 32, at most 64)
 * @param sftEval clean demonstrations held out of the SFT training file for its eval loss (default 24)
 * @param prefEvalFraction share of the training prompts whose preference pairs go to the
 *     {@code -eval} files, for reward-model accuracy (default 0.15)
 * @param helpfulPairsPerPrompt arithmetic preference pairs per prompt, each with another wrong sum
 *     (default 2)
 * @param wrongFactFraction share of the arithmetic facts whose SFT demonstrations mostly give one
 *     fixed wrong sum (default 0.3)
 * @param safetyLookalikePairs add to the safety pairs, for every unsafe request, the refusal over a harmless-looking
 *     answer (a look-alike's answer, e.g. "Tie paper to two sticks."), condition {@code safety}, degree
 *     {@code significantly_better}: without them a safety model never sees an off-topic harmless answer to an unsafe
 *     request rejected and scores it above the refusal, the hole PPO games (default false: the demo's files as they
 *     were; the extra pairs are drawn from their own generator, so every other file is the same either way)
 */
public record DemoTaskConfig(
        Long seed,
        Integer evalHelpful,
        Integer evalUnsafe,
        Integer evalLookalike,
        Integer sftEval,
        Double prefEvalFraction,
        Integer helpfulPairsPerPrompt,
        Double wrongFactFraction,
        Boolean safetyLookalikePairs) {

    public DemoTaskConfig {
        seed = seed == null ? 0L : seed;
        evalHelpful = within("eval_helpful", evalHelpful, 80, 1, 100);
        evalUnsafe = within("eval_unsafe", evalUnsafe, 32, 1, 64);
        evalLookalike = within("eval_lookalike", evalLookalike, 32, 1, 64);
        sftEval = within("sft_eval", sftEval, 24, 0, 100);
        prefEvalFraction = prefEvalFraction == null ? 0.15 : prefEvalFraction;
        if (!(prefEvalFraction > 0 && prefEvalFraction < 1)) {
            throw new ConfigException("pref_eval_fraction must be in (0, 1), got " + prefEvalFraction);
        }
        helpfulPairsPerPrompt = within("helpful_pairs_per_prompt", helpfulPairsPerPrompt, 2, 1, 8);
        wrongFactFraction = wrongFactFraction == null ? 0.3 : wrongFactFraction;
        if (!(wrongFactFraction >= 0 && wrongFactFraction <= 1)) {
            throw new ConfigException("wrong_fact_fraction must be in [0, 1], got " + wrongFactFraction);
        }
        safetyLookalikePairs = safetyLookalikePairs != null && safetyLookalikePairs;
    }

    /** The defaults with this seed. */
    public static DemoTaskConfig withSeed(long seed) {
        return new DemoTaskConfig(seed, null, null, null, null, null, null, null, null);
    }
}
