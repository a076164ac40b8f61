package org.rlhf4j.datasets;

import java.util.List;

/**
 * The ChatML template: {@code <|im_start|>{role}\n{content}<|im_end|>\n} per turn, and
 * {@code <|im_start|>assistant\n} as the generation prompt. It is the same text as the Jinja
 * {@code chat_template} the byte tokenizer writes to {@code tokenizer_config.json}.
 */
public final class ChatMlTemplate {

    public static final String IM_START = "<|im_start|>";
    public static final String IM_END = "<|im_end|>";

    private ChatMlTemplate() {}

    /** One rendered turn, including its closing {@code <|im_end|>} and newline. */
    public static String turn(ChatMessage m) {
        return IM_START + m.role() + "\n" + m.content() + IM_END + "\n";
    }

    /** The whole conversation, optionally followed by the assistant header for generation. */
    public static String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        StringBuilder sb = new StringBuilder();
        for (ChatMessage m : messages) {
            sb.append(turn(m));
        }
        if (addGenerationPrompt) {
            sb.append(IM_START).append("assistant\n");
        }
        return sb.toString();
    }

    /** A single-turn prompt (with an optional system turn) ready for generation. */
    public static String prompt(String system, String user) {
        return ChatTemplate.CHATML.prompt(system, user);
    }
}
