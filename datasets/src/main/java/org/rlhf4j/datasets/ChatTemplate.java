package org.rlhf4j.datasets;

import java.util.List;

/**
 * Renders a conversation to text and says which characters of that text the model is trained on.
 *
 * <p>Implementations: {@link #CHATML}, the built-in ChatML renderer, and {@link JinjaChatTemplate}, a
 * tokenizer's own Jinja {@code chat_template}. {@link ChatTemplates#select} picks one per the
 * {@code data.chat_template} setting.
 */
public interface ChatTemplate {

    /** The built-in ChatML template ({@link ChatMlTemplate}). */
    ChatTemplate CHATML = new ChatMlChatTemplate();

    /** No template: the contents as they are ({@link RawChatTemplate}), for base models. */
    ChatTemplate NONE = new RawChatTemplate();

    /** Renders the conversation, optionally followed by the header that opens an assistant turn. */
    String render(List<ChatMessage> messages, boolean addGenerationPrompt);

    /**
     * Renders the conversation for training: its text and the character spans of every assistant
     * turn that belong in the loss (the assistant's content and the end-of-turn marker after it).
     *
     * @throws IllegalArgumentException if the template cannot render it or its assistant turns
     *     cannot be located exactly
     */
    RenderedConversation renderForTraining(List<ChatMessage> messages);

    /**
     * This template with the conversation's function schemas bound to its {@code tools} variable (a
     * record's {@code tools} column). Templates without that variable (the built-in ChatML, none)
     * ignore them, as transformers does.
     */
    default ChatTemplate withTools(List<Object> tools) {
        return this;
    }

    /** A single-turn prompt (with an optional system turn) followed by the generation prompt. */
    default String prompt(String system, String user) {
        return render(system == null || system.isEmpty()
                ? List.of(ChatMessage.user(user))
                : List.of(ChatMessage.system(system), ChatMessage.user(user)), true);
    }

    /** A short name for reports ({@code chatml}, {@code jinja} or {@code none}). */
    String name();
}
