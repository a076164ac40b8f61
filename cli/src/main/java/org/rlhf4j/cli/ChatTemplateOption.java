package org.rlhf4j.cli;

import org.rlhf4j.core.tokenizer.Tokenizer;
import org.rlhf4j.datasets.ChatTemplate;
import org.rlhf4j.datasets.ChatTemplates;
import picocli.CommandLine.Option;

/**
 * {@code --chat-template}: the template that turns prompts into model input, chosen as training's
 * {@code data.chat_template} is, so a model is prompted at inference as it was trained (its own
 * template, exported in {@code final/}, by default).
 */
final class ChatTemplateOption {

    @Option(names = "--chat-template", defaultValue = "auto", paramLabel = "auto|chatml|none|PATH",
            description = "auto: the model's own chat_template (ChatML if it has none); chatml; none: the text as"
                    + " it is (base models); or a .jinja file. As data.chat_template in training (default: ${DEFAULT-VALUE}).")
    String chatTemplate = "auto";

    ChatTemplate resolve(Tokenizer tokenizer) {
        return ChatTemplates.select(chatTemplate, tokenizer);
    }
}
