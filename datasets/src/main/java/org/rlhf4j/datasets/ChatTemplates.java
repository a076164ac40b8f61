package org.rlhf4j.datasets;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.rlhf4j.core.config.UserException;
import org.rlhf4j.core.tokenizer.Tokenizer;

/** Picks the {@link ChatTemplate} for a model per {@code data.chat_template}. */
public final class ChatTemplates {

    private ChatTemplates() {}

    /**
     * Returns the tokenizer's own Jinja template for {@code auto} when it has one, ChatML otherwise
     * and for {@code chatml}.
     */
    public static ChatTemplate select(String setting, Tokenizer tokenizer) {
        return select(setting, tokenizer, Map.of());
    }

    /**
     * Returns the template {@code data.chat_template} names, with {@code data.chat_template_kwargs} bound:
     * {@code auto} the tokenizer's own Jinja template (ChatML if it has none), {@code chatml} the built-in
     * ChatML, {@code none} the raw text of the messages (base models, completion data), anything else a
     * path to a {@code .jinja} file.
     *
     * @throws IllegalArgumentException if a template file cannot be read or does not parse (naming it and the line)
     */
    public static ChatTemplate select(String setting, Tokenizer tokenizer, Map<String, Object> kwargs) {
        if (setting.equals("chatml")) {
            return ChatTemplate.CHATML;
        }
        if (setting.equals("none")) {
            return ChatTemplate.NONE;
        }
        if (setting.equals("auto")) {
            Optional<String> own = tokenizer.chatTemplate();
            return own.isPresent() ? jinja(own.get(), tokenizer.chatTemplateSource(), tokenizer, kwargs) : ChatTemplate.CHATML;
        }
        Path file = Path.of(setting);
        if (!Files.isRegularFile(file)) {
            throw new UserException("data.chat_template: '" + setting + "' is not a file; expected auto,"
                    + " chatml, none or the path of a .jinja template");
        }
        try {
            return jinja(Files.readString(file), file.toString(), tokenizer, kwargs);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read data.chat_template " + file, e);
        }
    }

    /** The template of a stage's {@code data:} section ({@code chat_template} with {@code chat_template_kwargs}). */
    public static ChatTemplate select(DataConfig data, Tokenizer tokenizer) {
        return select(data.chatTemplate(), tokenizer, data.chatTemplateKwargs());
    }

    /** The tokenizer's template text with its BOS and EOS token texts bound. */
    public static JinjaChatTemplate jinja(String source, Tokenizer tokenizer) {
        return jinja(source, tokenizer.chatTemplateSource(), tokenizer, Map.of());
    }

    /**
     * A template text read from {@code sourceName}, with the tokenizer's special tokens ({@code bos_token},
     * {@code eos_token}, {@code pad_token}) and {@code kwargs} bound.
     */
    public static JinjaChatTemplate jinja(String text, String sourceName, Tokenizer tokenizer, Map<String, Object> kwargs) {
        Map<String, String> specials = new HashMap<>();
        specials.put("bos_token", tokenizer.bosId().isPresent() ? tokenText(tokenizer, tokenizer.bosId().getAsInt()) : "");
        try {
            specials.put("eos_token", tokenText(tokenizer, tokenizer.eosId()));
        } catch (IllegalStateException noEos) {
            specials.put("eos_token", "");
        }
        tokenizer.padId().ifPresent(id -> specials.put("pad_token", tokenText(tokenizer, id)));
        return new JinjaChatTemplate(text, sourceName, specials, kwargs);
    }

    private static String tokenText(Tokenizer tokenizer, int id) {
        return tokenizer.decode(new int[] {id}, false);
    }
}
