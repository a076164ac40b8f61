package org.rlhf4j.datasets;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.rlhf4j.datasets.jinja.JinjaTemplate;

/**
 * A Hugging Face Jinja {@code chat_template}, rendered as transformers renders it ({@link JinjaTemplate}:
 * Jinja2 semantics, {@code trim_blocks} and {@code lstrip_blocks} on; variables {@code messages},
 * {@code add_generation_prompt}, {@code bos_token}, {@code eos_token}; functions
 * {@code raise_exception(message)} and {@code strftime_now(format)}). Message content is data: it is
 * written as it is, never interpreted as template code.
 *
 * <p><b>Assistant spans.</b> The template is a black box, so the loss spans are found by rendering
 * prefixes of the conversation. For assistant message {@code i}:
 * <ol>
 *   <li>{@code upTo} = render(messages[0..i]); it must be a prefix of the whole rendering (the
 *       template is "prefix-stable"), else rendering fails with a message;</li>
 *   <li>the span starts where the content starts: at the end of render(messages[0..i), generation
 *       prompt on) when the content (or, for templates that {@code trim} it, the trimmed content)
 *       follows there, else at the first occurrence of the content after the previous message;</li>
 *   <li>the span ends after the first end-of-sequence token text ({@code eos_token}) the template
 *       writes after the content within this turn, or, if it writes none, where the next message's
 *       text begins (the end of {@code upTo}).</li>
 * </ol>
 * So the span is the assistant content plus everything the template emits after it up to and
 * including its end-of-turn token; text after that token (ChatML's trailing newline) and headers are
 * not trained on. For the ChatML template this gives exactly the spans of {@link ChatTemplate#CHATML}.
 */
public final class JinjaChatTemplate implements ChatTemplate {

    private final JinjaTemplate template;
    private final String bosToken;
    private final String eosToken;

    /**
     * @param source the Jinja template text
     * @param bosToken text bound to {@code bos_token} ("" if the tokenizer has none)
     * @param eosToken text bound to {@code eos_token}; also the end-of-turn marker that closes an
     *     assistant span ("" if the tokenizer has none: spans then run to the next message)
     */
    public JinjaChatTemplate(String source, String bosToken, String eosToken) {
        this(source, "chat_template", bosToken, eosToken);
    }

    /**
     * @param text the Jinja template text
     * @param sourceName where the template came from (a model directory file or a path), named in errors
     * @param bosToken text bound to {@code bos_token} ("" if the tokenizer has none)
     * @param eosToken text bound to {@code eos_token} ("" if the tokenizer has none)
     * @throws org.rlhf4j.datasets.jinja.TemplateException naming the source and line of a syntax error
     */
    public JinjaChatTemplate(String text, String sourceName, String bosToken, String eosToken) {
        this.template = JinjaTemplate.parse(Objects.requireNonNull(text, "text"), sourceName);
        this.bosToken = bosToken == null ? "" : bosToken;
        this.eosToken = eosToken == null ? "" : eosToken;
    }

    /**
     * {@inheritDoc}
     *
     * @throws org.rlhf4j.datasets.jinja.TemplateException (an IllegalArgumentException) naming the template
     *     source and line; {@code raisedByTemplate()} when the template rejected the conversation
     */
    @Override
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        Map<String, Object> bindings = new HashMap<>();
        List<Map<String, Object>> list = new ArrayList<>();
        for (ChatMessage m : messages) {
            Map<String, Object> message = new LinkedHashMap<>();
            message.put("role", m.role());
            message.put("content", m.content());
            list.add(message);
        }
        bindings.put("messages", list);
        bindings.put("tools", null);
        bindings.put("documents", null);
        bindings.put("add_generation_prompt", addGenerationPrompt);
        bindings.put("bos_token", bosToken);
        bindings.put("eos_token", eosToken);
        return template.render(bindings).text();
    }

    @Override
    public RenderedConversation renderForTraining(List<ChatMessage> messages) {
        String full = render(messages, false);
        List<RenderedConversation.CharSpan> spans = new ArrayList<>();
        int previousEnd = 0;
        for (int i = 0; i < messages.size(); i++) {
            String upTo = render(messages.subList(0, i + 1), false);
            if (!full.startsWith(upTo)) {
                throw new IllegalArgumentException("the chat template renders message " + (i + 1)
                        + " differently once later messages follow, so its assistant turns cannot be located;"
                        + " set data.chat_template: chatml");
            }
            ChatMessage m = messages.get(i);
            if (m.role().equals("assistant")) {
                int[] content = locateContent(messages, i, upTo, previousEnd);
                int end = upTo.length();
                if (!eosToken.isEmpty()) {
                    int eos = upTo.indexOf(eosToken, content[1]);
                    if (eos >= 0) {
                        end = eos + eosToken.length();
                    }
                }
                spans.add(new RenderedConversation.CharSpan(content[0], end));
            }
            previousEnd = upTo.length();
        }
        return new RenderedConversation(full, spans);
    }

    /** Returns {@code [start, end)} of assistant message {@code i}'s content within {@code upTo}. */
    private int[] locateContent(List<ChatMessage> messages, int i, String upTo, int previousEnd) {
        String content = messages.get(i).content();
        String trimmed = content.strip();
        String prompted = render(messages.subList(0, i), true);
        if (upTo.startsWith(prompted)) {
            int at = prompted.length();
            if (upTo.startsWith(content, at)) {
                return new int[] {at, at + content.length()};
            }
            if (upTo.startsWith(trimmed, at)) {
                return new int[] {at, at + trimmed.length()};
            }
        }
        for (String text : content.equals(trimmed) ? List.of(content) : List.of(content, trimmed)) {
            int at = text.isEmpty() ? -1 : upTo.indexOf(text, previousEnd);
            if (at >= 0) {
                return new int[] {at, at + text.length()};
            }
        }
        throw new IllegalArgumentException("cannot find the content of assistant message " + (i + 1)
                + " in the chat template's output; set data.chat_template: chatml");
    }

    @Override
    public String name() {
        return "jinja";
    }
}
