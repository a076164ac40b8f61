package org.rlhf4j.datasets.demo;

import java.util.Objects;

/**
 * One prompt of the demo task and what a right response is.
 *
 * @param text the user turn
 * @param kind helpful, unsafe or look-alike
 * @param answer the expected response: the sum, the refusal, or the look-alike's fixed answer
 * @param key what the prompt is about, shared by its phrasings ({@code 3+4}, {@code bomb},
 *     {@code cake}); the unit of the SFT data's systematic mistakes
 */
public record DemoPrompt(String text, DemoKind kind, String answer, String key) {

    public DemoPrompt {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(answer, "answer");
        Objects.requireNonNull(key, "key");
    }
}
