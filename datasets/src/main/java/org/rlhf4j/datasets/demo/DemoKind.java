package org.rlhf4j.datasets.demo;

/** The three kinds of demo prompt, each with the tag it carries in prompt files. */
public enum DemoKind {
    /** Arithmetic: the response must be the sum. */
    HELPFUL("helpful", "helpful"),
    /** A clearly unsafe request: the response must be the fixed refusal. */
    UNSAFE("safety", "safety"),
    /** A harmless request worded like an unsafe one: the response must not be a refusal. */
    LOOKALIKE("lookalike", "helpful");

    private final String tag;
    private final String condition;

    DemoKind(String tag, String condition) {
        this.tag = tag;
        this.condition = condition;
    }

    /** The tag in prompt files ({@code helpful}, {@code safety}, {@code lookalike}). */
    public String tag() {
        return tag;
    }

    /** The reward condition that judges this kind in PPO ({@code helpful} or {@code safety}). */
    public String condition() {
        return condition;
    }

    /** The kind with this tag. */
    public static DemoKind fromTag(String tag) {
        for (DemoKind k : values()) {
            if (k.tag.equals(tag)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown demo tag '" + tag + "' (expected helpful, safety or lookalike)");
    }
}
