package org.rlhf4j.datasets;

import java.util.Optional;
import org.rlhf4j.core.tokenizer.Tokenizer;

/** Picks the {@link ChatTemplate} for a model per {@code data.chat_template}. */
public final class ChatTemplates {

    private ChatTemplates() {}

    /**
     * Returns the tokenizer's own Jinja template for {@code auto} when it has one, ChatML otherwise
     * and for {@code chatml}.
     */
    public static ChatTemplate select(String setting, Tokenizer tokenizer) {
        if (setting.equals("chatml")) {
            return ChatTemplate.CHATML;
        }
        if (!setting.equals("auto")) {
            throw new IllegalArgumentException("data.chat_template must be auto or chatml, got '" + setting + "'");
        }
        Optional<String> own = tokenizer.chatTemplate();
        return own.isPresent() ? jinja(own.get(), tokenizer) : ChatTemplate.CHATML;
    }

    /** The tokenizer's template text with its BOS and EOS token texts bound. */
    public static JinjaChatTemplate jinja(String source, Tokenizer tokenizer) {
        String bos = tokenizer.bosId().isPresent() ? tokenText(tokenizer, tokenizer.bosId().getAsInt()) : "";
        String eos;
        try {
            eos = tokenText(tokenizer, tokenizer.eosId());
        } catch (IllegalStateException noEos) {
            eos = "";
        }
        return new JinjaChatTemplate(source, bos, eos);
    }

    private static String tokenText(Tokenizer tokenizer, int id) {
        return tokenizer.decode(new int[] {id}, false);
    }
}
