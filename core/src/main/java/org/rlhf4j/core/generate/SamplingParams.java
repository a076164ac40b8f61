package org.rlhf4j.core.generate;

import org.rlhf4j.core.config.UserException;

/**
 * How to pick each next token.
 *
 * @param maxNewTokens longest response in tokens (at least 1)
 * @param temperature 0 means greedy; otherwise logits are divided by it before sampling
 * @param topK keep only the k most likely tokens (0: all)
 * @param topP keep the smallest set of tokens whose probability reaches p (1: all)
 * @param seed fixes the samples
 */
public record SamplingParams(int maxNewTokens, double temperature, int topK, double topP, long seed) {

    public SamplingParams {
        if (maxNewTokens < 1) {
            throw new UserException("--max-new-tokens must be at least 1, got " + maxNewTokens);
        }
        if (!(temperature >= 0)) {
            throw new UserException("--temperature must be >= 0, got " + temperature);
        }
        if (topK < 0) {
            throw new UserException("--top-k must be >= 0, got " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new UserException("--top-p must be in (0, 1], got " + topP);
        }
    }

    /** Greedy decoding of up to {@code maxNewTokens} tokens. */
    public static SamplingParams greedy(int maxNewTokens) {
        return new SamplingParams(maxNewTokens, 0, 0, 1, 0);
    }

    public boolean isGreedy() {
        return temperature == 0;
    }
}
