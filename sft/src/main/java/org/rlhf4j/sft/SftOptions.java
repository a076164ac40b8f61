package org.rlhf4j.sft;

/**
 * The {@code sft:} section: what SFT adds to the shared keys. Everything here has a default, so
 * the section may be left out.
 *
 * @param completionOnly {@code true} (default): the loss covers only assistant tokens (their
 *     content and closing {@code <|im_end|>}), as DESIGN.md requires and TRL's
 *     {@code assistant_only_loss} does; {@code false}: every token of the conversation after the
 *     first is a target (system and user turns and the template's headers too). {@code pretrain}
 *     ignores this key: its loss always covers every token.
 */
public record SftOptions(Boolean completionOnly) {

    public SftOptions {
        completionOnly = completionOnly == null || completionOnly;
    }

    /** The defaults. */
    public static SftOptions defaults() {
        return new SftOptions(null);
    }
}
