package org.rlhf4j.datasets;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.rlhf4j.datasets.jinja.JinjaTemplate;
import org.rlhf4j.datasets.jinja.TemplateException;

/**
 * A Hugging Face Jinja {@code chat_template}, rendered as transformers renders it ({@link JinjaTemplate}:
 * Jinja2 semantics, {@code trim_blocks} and {@code lstrip_blocks} on; variables {@code messages},
 * {@code add_generation_prompt}, {@code bos_token}, {@code eos_token}; functions
 * {@code raise_exception(message)} and {@code strftime_now(format)}). Message content is data: it is
 * written as it is, never interpreted as template code.
 *
 * <p><b>Assistant spans</b> come from one render of the whole conversation. If the template has
 * {@code {% generation %}} blocks, they are the spans (as transformers' assistant masks). Otherwise the
 * renderer records what each loop iteration over a message wrote; for assistant message {@code i}
 * that text is its turn, as the full render shows it (a template may drop earlier think blocks:
 * what is not shown is not trained). The span starts after the turn's header, the longest common
 * prefix of the turn and the generation prompt (render(messages[0..i), true) minus
 * render(messages[0..i), false)), and ends after the last {@code eos_token} in the turn, or at the
 * turn's end without trailing whitespace if it has none. So the span is the assistant content plus
 * its end-of-turn token; headers and the newline after the end-of-turn token are not trained on.
 * For the ChatML template this gives exactly the spans of {@link ChatTemplate#CHATML}.
 */
public final class JinjaChatTemplate implements ChatTemplate {

    private final JinjaTemplate template;
    private final Map<String, Object> specialTokens;
    private final String eosToken;
    private final Map<String, Object> kwargs;

    /**
     * @param source the Jinja template text
     * @param bosToken text bound to {@code bos_token} ("" if the tokenizer has none)
     * @param eosToken text bound to {@code eos_token}; also the end-of-turn marker that closes an
     *     assistant span ("" if the tokenizer has none)
     */
    public JinjaChatTemplate(String source, String bosToken, String eosToken) {
        this(source, "chat_template", specials(bosToken, eosToken), Map.of());
    }

    /**
     * @param text the Jinja template text
     * @param sourceName where the template came from (a model directory file or a path), named in errors
     * @param specialTokens the tokenizer's special tokens by name ({@code bos_token}, {@code eos_token},
     *     {@code pad_token}, ...), bound as template variables; {@code eos_token} also closes assistant spans
     * @param kwargs {@code data.chat_template_kwargs}, bound as template variables (e.g. {@code enable_thinking})
     * @throws org.rlhf4j.datasets.jinja.TemplateException naming the source and line of a syntax error
     */
    public JinjaChatTemplate(String text, String sourceName, Map<String, String> specialTokens, Map<String, Object> kwargs) {
        this.template = JinjaTemplate.parse(Objects.requireNonNull(text, "text"), sourceName);
        this.specialTokens = Map.copyOf(specialTokens);
        this.eosToken = specialTokens.getOrDefault("eos_token", "");
        this.kwargs = Map.copyOf(kwargs);
    }

    private static Map<String, String> specials(String bosToken, String eosToken) {
        return Map.of("bos_token", bosToken == null ? "" : bosToken, "eos_token", eosToken == null ? "" : eosToken);
    }

    /** Where the template came from, as named in its errors. */
    public String source() {
        return template.source();
    }

    /** This template with {@code chat_template_kwargs} bound as extra variables. */
    public JinjaChatTemplate withKwargs(Map<String, Object> extra) {
        Map<String, Object> all = new HashMap<>(kwargs);
        all.putAll(extra);
        Map<String, String> tokens = new HashMap<>();
        specialTokens.forEach((k, v) -> tokens.put(k, String.valueOf(v)));
        return new JinjaChatTemplate(template, tokens, all);
    }

    @Override
    public JinjaChatTemplate withTools(List<Object> tools) {
        return tools == null ? this : withKwargs(Map.of("tools", tools));
    }

    private JinjaChatTemplate(JinjaTemplate template, Map<String, String> specialTokens, Map<String, Object> kwargs) {
        this.template = template;
        this.specialTokens = Map.copyOf(specialTokens);
        this.eosToken = specialTokens.getOrDefault("eos_token", "");
        this.kwargs = Map.copyOf(kwargs);
    }

    /**
     * {@inheritDoc}
     *
     * @throws org.rlhf4j.datasets.jinja.TemplateException (an IllegalArgumentException) naming the template
     *     source and line; {@code raisedByTemplate()} when the template rejected the conversation
     */
    @Override
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        return renderFull(messages, addGenerationPrompt).text();
    }

    private JinjaTemplate.Rendered renderFull(List<ChatMessage> messages, boolean addGenerationPrompt) {
        Map<String, Object> bindings = new HashMap<>(specialTokens);
        bindings.putAll(kwargs);
        List<Map<String, Object>> list = new ArrayList<>();
        for (ChatMessage m : messages) {
            Map<String, Object> message = new LinkedHashMap<>();
            message.put("role", m.role());
            message.put("content", m.content());
            message.putAll(m.fields());
            list.add(message);
        }
        bindings.put("messages", list);
        bindings.putIfAbsent("tools", null);
        bindings.put("documents", null);
        bindings.put("add_generation_prompt", addGenerationPrompt);
        return template.render(bindings);
    }

    @Override
    public RenderedConversation renderForTraining(List<ChatMessage> messages) {
        JinjaTemplate.Rendered full = renderFull(messages, false);
        String text = full.text();
        List<RenderedConversation.CharSpan> spans = new ArrayList<>();
        if (template.hasGenerationMarkers()) {
            for (int[] g : full.generationSpans()) {
                if (g[1] > g[0]) {
                    spans.add(new RenderedConversation.CharSpan(g[0], g[1]));
                }
            }
            return new RenderedConversation(text, spans);
        }
        for (int i = 0; i < messages.size(); i++) {
            if (!messages.get(i).role().equals("assistant")) {
                continue;
            }
            int start = Integer.MAX_VALUE;
            int end = -1;
            for (int[] turn : full.messageSpans()) {
                if (turn[0] == i) {
                    start = Math.min(start, turn[1]);
                    end = Math.max(end, turn[2]);
                }
            }
            if (end < 0) {
                throw new IllegalArgumentException(template.source() + ": the chat template writes assistant message "
                        + (i + 1) + " outside a for loop over messages, so its turn cannot be located; add"
                        + " {% generation %} markers to the template or set data.chat_template: chatml");
            }
            String turn = text.substring(start, end);
            int from = start + commonPrefix(turn, generationPrompt(messages.subList(0, i)));
            int eos = eosToken.isEmpty() ? -1 : turn.lastIndexOf(eosToken);
            int to = eos >= 0 && start + eos >= from ? start + eos + eosToken.length() : start + stripTrailing(turn);
            if (to > from) {
                spans.add(new RenderedConversation.CharSpan(from, to));
            }
        }
        return new RenderedConversation(text, spans);
    }

    /** The text the generation prompt adds after these messages ("" if the template cannot render them). */
    private String generationPrompt(List<ChatMessage> before) {
        try {
            String without = render(before, false);
            String with = render(before, true);
            return with.startsWith(without) ? with.substring(without.length()) : "";
        } catch (IllegalArgumentException | TemplateException rejected) {
            return "";
        }
    }

    private static int commonPrefix(String a, String b) {
        int n = Math.min(a.length(), b.length());
        int i = 0;
        while (i < n && a.charAt(i) == b.charAt(i)) {
            i++;
        }
        return i;
    }

    private static int stripTrailing(String s) {
        int end = s.length();
        while (end > 0 && Character.isWhitespace(s.charAt(end - 1))) {
            end--;
        }
        return end;
    }

    @Override
    public String name() {
        return "jinja";
    }
}
