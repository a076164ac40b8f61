package org.rlhf4j.core.rollout;

import java.util.Locale;

/** Why a row's response ended. */
public enum FinishReason {
    /** The model produced an end-of-sequence id (the tokenizer's or generation_config.json's). */
    EOS,
    /** The model produced a configured stop id, or the decoded response reached a stop string. */
    STOP,
    /** The response reached {@code max_new_tokens}. */
    LENGTH,
    /** Not generated: the response was given to {@link RolloutBatch#of}. */
    GIVEN;

    /** The name in {@code generate --out} lines: {@code "eos"}, {@code "stop"}, {@code "length"}. */
    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
