package org.rlhf4j.ppo.rs;

import static org.rlhf4j.core.config.ConfigChecks.atLeast;
import static org.rlhf4j.core.config.ConfigChecks.nonNegative;

import java.util.List;
import org.rlhf4j.core.config.ConfigException;

/**
 * The {@code rs:} section of {@code rlhf4j rs}. Every key has a default, so the section may be left
 * out.
 *
 * @param numSamples responses sampled per prompt, N of best-of-N (default 4)
 * @param temperature sampling temperature (default 1.0)
 * @param topK sample among the k likeliest tokens, 0 for all (default 0)
 * @param topP nucleus sampling (default 1.0)
 * @param maxNewTokens longest response (default 64)
 * @param maxPromptLen prompt tokens kept, the end of longer prompts (default 256)
 * @param batchSize prompts per generation batch; the batch holds {@code batch_size * num_samples}
 *     rows and is also the set a whitened source or the safety gate whitens over (default 8)
 * @param minScore drop a prompt whose best score is below this (default: keep every prompt)
 * @param pairs also write {@code pairs.jsonl}: per prompt, the best response as {@code chosen} and
 *     the worst as {@code rejected}, when the best scores above the worst by more than
 *     {@code pair_min_gap} (default false)
 * @param pairMinGap the score gap a pair needs (default 0: any strict difference)
 * @param pairsWith preference files copied to the start of {@code pairs.jsonl} as they are, so a
 *     reward model can continue on old and new comparisons from one file (default none)
 */
public record RsOptions(
        Integer numSamples,
        Double temperature,
        Integer topK,
        Double topP,
        Integer maxNewTokens,
        Integer maxPromptLen,
        Integer batchSize,
        Double minScore,
        Boolean pairs,
        Double pairMinGap,
        List<String> pairsWith) {

    public RsOptions {
        numSamples = atLeast("rs.num_samples", numSamples, 4, 1);
        temperature = temperature == null ? 1.0 : temperature;
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new ConfigException("rs.temperature must be finite and > 0 (best-of-N needs sampling), got "
                    + temperature);
        }
        topK = atLeast("rs.top_k", topK, 0, 0);
        topP = topP == null ? 1.0 : topP;
        if (!(topP > 0 && topP <= 1)) {
            throw new ConfigException("rs.top_p must be in (0, 1], got " + topP);
        }
        maxNewTokens = atLeast("rs.max_new_tokens", maxNewTokens, 64, 1);
        maxPromptLen = atLeast("rs.max_prompt_len", maxPromptLen, 256, 1);
        batchSize = atLeast("rs.batch_size", batchSize, 8, 1);
        if (minScore != null && !Double.isFinite(minScore)) {
            throw new ConfigException("rs.min_score must be finite, got " + minScore);
        }
        pairs = pairs != null && pairs;
        pairMinGap = nonNegative("rs.pair_min_gap", pairMinGap, 0.0);
        pairsWith = pairsWith == null ? List.of() : List.copyOf(pairsWith);
        if (!pairsWith.isEmpty() && !pairs) {
            throw new ConfigException("rs.pairs_with is set but rs.pairs is false; set rs.pairs: true");
        }
    }

    /** Every default. */
    public static RsOptions defaults() {
        return new RsOptions(null, null, null, null, null, null, null, null, null, null, null);
    }
}
