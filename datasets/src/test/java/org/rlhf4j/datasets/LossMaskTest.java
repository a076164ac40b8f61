package org.rlhf4j.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.rlhf4j.core.config.UserException;
import org.rlhf4j.core.tokenizer.ByteTokenizer;

class LossMaskTest {

    private static final ByteTokenizer BYTES = new ByteTokenizer();
    private static final int S = ByteTokenizer.IM_START_ID;
    private static final int E = ByteTokenizer.IM_END_ID;

    /** A Llama-3-Instruct style template (its eos_token is {@code <|eot_id|>}). */
    static final String LLAMA3 = "{% set loop_messages = messages %}{% for message in loop_messages %}"
            + "{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'"
            + "+ message['content'] | trim + '<|eot_id|>' %}"
            + "{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}"
            + "{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}";

    private static TrainingSequence encode(ChatTemplate template, List<ChatMessage> messages) {
        return new LossMaskEncoder(BYTES).encode(template.renderForTraining(messages));
    }

    /** Builds expected ids/mask from pieces: a String is its UTF-8 bytes, an Integer one id. */
    private static final class Expected {
        final List<Integer> ids = new ArrayList<>();
        final List<Boolean> mask = new ArrayList<>();

        Expected add(boolean loss, Object... pieces) {
            for (Object p : pieces) {
                if (p instanceof Integer id) {
                    ids.add(id);
                    mask.add(loss);
                } else {
                    for (byte b : ((String) p).getBytes(StandardCharsets.UTF_8)) {
                        ids.add(b & 0xFF);
                        mask.add(loss);
                    }
                }
            }
            return this;
        }

        int[] ids() {
            return ids.stream().mapToInt(Integer::intValue).toArray();
        }

        boolean[] mask() {
            boolean[] m = new boolean[mask.size()];
            for (int i = 0; i < m.length; i++) {
                m[i] = mask.get(i);
            }
            return m;
        }
    }

    @Test
    void singleTurnMasksAssistantContentAndImEndOnly() {
        TrainingSequence seq = encode(ChatTemplate.CHATML, List.of(ChatMessage.user("hi"), ChatMessage.assistant("yo")));
        // <s>user\nhi<e>\n <s>assistant\n | y o <e> | \n  -> loss exactly on 'y', 'o', <|im_end|>
        Expected x = new Expected()
                .add(false, S, "user\nhi", E, "\n", S, "assistant\n")
                .add(true, "yo", E)
                .add(false, "\n");
        assertArrayEquals(x.ids(), seq.ids());
        assertArrayEquals(x.mask(), seq.lossMask());
        assertEquals(3, seq.lossTokens());
    }

    @Test
    void multiTurnMasksEveryAssistantTurn() {
        List<ChatMessage> conversation = List.of(ChatMessage.system("Be brief."), ChatMessage.user("2+3?"),
                ChatMessage.assistant("5"), ChatMessage.user("and 2*3?"), ChatMessage.assistant("6, é"));
        TrainingSequence seq = encode(ChatTemplate.CHATML, conversation);
        Expected x = new Expected()
                .add(false, S, "system\nBe brief.", E, "\n", S, "user\n2+3?", E, "\n", S, "assistant\n")
                .add(true, "5", E)
                .add(false, "\n", S, "user\nand 2*3?", E, "\n", S, "assistant\n")
                .add(true, "6, é", E) // é is two UTF-8 bytes, both in the loss
                .add(false, "\n");
        assertArrayEquals(x.ids(), seq.ids());
        assertArrayEquals(x.mask(), seq.lossMask());
        assertEquals(2 + 6, seq.lossTokens()); // "5" + im_end; "6, é" (5 bytes: é is 2) + im_end
    }

    @Test
    void jinjaChatMlTemplateEqualsBuiltInRenderer() {
        JinjaChatTemplate jinja = ChatTemplates.jinja(ByteTokenizer.CHATML_TEMPLATE, BYTES);
        List<List<ChatMessage>> cases = List.of(
                List.of(ChatMessage.user("hi"), ChatMessage.assistant("yo")),
                List.of(ChatMessage.system("sys"), ChatMessage.user("a"), ChatMessage.assistant("b\n"),
                        ChatMessage.user("c"), ChatMessage.assistant("")),
                List.of(ChatMessage.assistant("assistant"), ChatMessage.user("q"), ChatMessage.assistant("\n")));
        for (List<ChatMessage> c : cases) {
            assertEquals(ChatTemplate.CHATML.render(c, true), jinja.render(c, true));
            TrainingSequence builtIn = encode(ChatTemplate.CHATML, c);
            TrainingSequence viaJinja = encode(jinja, c);
            assertArrayEquals(builtIn.ids(), viaJinja.ids(), c.toString());
            assertArrayEquals(builtIn.lossMask(), viaJinja.lossMask(), c.toString());
        }
    }

    @Test
    void autoPicksTheTokenizersOwnTemplate() {
        assertEquals("jinja", ChatTemplates.select("auto", BYTES).name());
        assertEquals("chatml", ChatTemplates.select("chatml", BYTES).name());
    }

    @Test
    void llama3StyleTemplateMasksContentAndEotId() {
        JinjaChatTemplate llama = new JinjaChatTemplate(LLAMA3, "<|begin_of_text|>", "<|eot_id|>");
        List<ChatMessage> c = List.of(ChatMessage.user(" hi "), ChatMessage.assistant(" yo "),
                ChatMessage.user("more"), ChatMessage.assistant("ok"));
        RenderedConversation r = llama.renderForTraining(c);
        String h = "<|start_header_id|>";
        String he = "<|end_header_id|>\n\n";
        String text = "<|begin_of_text|>" + h + "user" + he + "hi<|eot_id|>" + h + "assistant" + he + "yo<|eot_id|>"
                + h + "user" + he + "more<|eot_id|>" + h + "assistant" + he + "ok<|eot_id|>";
        assertEquals(text, r.text());
        // spans: trimmed content "yo" and "ok", each with its <|eot_id|>
        int first = text.indexOf("yo<|eot_id|>");
        int second = text.indexOf("ok<|eot_id|>");
        assertEquals(List.of(new RenderedConversation.CharSpan(first, first + 12),
                new RenderedConversation.CharSpan(second, second + 12)), r.lossSpans());
        assertEquals(text + h + "assistant" + he, llama.render(c, true));
        // byte tokenizer: the Llama specials are plain bytes, so each span is 12 loss tokens
        TrainingSequence seq = new LossMaskEncoder(BYTES).encode(r);
        assertEquals(24, seq.lossTokens());
    }

    @Test
    void raiseExceptionStopsWithTheTemplatesMessage() {
        JinjaChatTemplate strict = new JinjaChatTemplate(
                "{% for m in messages %}{% if m['role'] == 'system' %}{{ raise_exception('System role not supported') }}"
                        + "{% endif %}{{ m['content'] }}{% endfor %}", "", "");
        UserException e = assertThrows(UserException.class,
                () -> strict.render(List.of(ChatMessage.system("x")), false));
        assertTrue(e.getMessage().contains("System role not supported"), e.getMessage());
        assertEquals("ab", strict.render(List.of(ChatMessage.user("a"), ChatMessage.assistant("b")), false));
    }

    @Test
    void templateThatRewritesEarlierTurnsIsMaskedFromTheFullRender() {
        // puts a marker before the LAST user message (as Mistral's template does with the system prompt),
        // so earlier turns render differently once later ones follow: spans come from the one full render
        JinjaChatTemplate moving = new JinjaChatTemplate("{% for m in messages %}{% if m['role'] == 'user' %}"
                + "{% if loop.last or loop.index0 == messages|length - 2 %}[S]{% endif %}{{ m['content'] }}"
                + "{% elif m['role'] == 'assistant' %}{{ m['content'] }}</s>{% endif %}{% endfor %}", "", "</s>");
        RenderedConversation r = moving.renderForTraining(List.of(ChatMessage.user("a"), ChatMessage.assistant("b"),
                ChatMessage.user("c"), ChatMessage.assistant("d")));
        assertEquals("ab</s>[S]cd</s>", r.text());
        assertEquals(List.of(new RenderedConversation.CharSpan(1, 6), new RenderedConversation.CharSpan(10, 15)),
                r.lossSpans());
    }

    @Test
    void aTokenAcrossASpanBoundaryIsATarget() {
        // the span ends inside "<|im_end|>": that token overlaps it, so it is trained on, and the ids are the whole text's
        String text = "ab<|im_end|>";
        RenderedConversation cut = new RenderedConversation(text, List.of(new RenderedConversation.CharSpan(1, 4)));
        TrainingSequence seq = new LossMaskEncoder(BYTES).encode(cut);
        assertArrayEquals(new int[] {'a', 'b', E}, seq.ids());
        assertArrayEquals(new boolean[] {false, true, true}, seq.lossMask());
    }

    @Test
    void generationMarkersAreTheSpansWhenATemplateHasThem() {
        // SmolLM3/transformers style: only what is inside {% generation %} is trained, here content and <|im_end|>
        JinjaChatTemplate marked = new JinjaChatTemplate("{% for m in messages %}<|im_start|>{{ m['role'] }}\n"
                + "{% if m['role'] == 'assistant' %}{% generation %}{{ m['content'] }}<|im_end|>{% endgeneration %}"
                + "{% else %}{{ m['content'] }}<|im_end|>{% endif %}{{ '\n' }}{% endfor %}", "", "<|im_end|>");
        List<ChatMessage> c = List.of(ChatMessage.user("hi"), ChatMessage.assistant("yo"));
        TrainingSequence viaMarkers = encode(marked, c);
        TrainingSequence builtIn = encode(ChatTemplate.CHATML, c);
        assertArrayEquals(builtIn.ids(), viaMarkers.ids());
        assertArrayEquals(builtIn.lossMask(), viaMarkers.lossMask());
    }
}
