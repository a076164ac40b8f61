package org.rlhf4j.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.rlhf4j.core.tokenizer.ByteTokenizer;

/** Message content is data: a model's own Jinja template writes it literally, never runs it. */
class TemplateContentIsDataTest {

    private static final JinjaChatTemplate CHATML_JINJA = ChatTemplates.jinja(ByteTokenizer.CHATML_TEMPLATE,
            new ByteTokenizer());
    private static final JinjaChatTemplate LLAMA3 = new JinjaChatTemplate(LossMaskTest.LLAMA3,
            "<|begin_of_text|>", "<|eot_id|>");

    @Test
    void expressionInUserContentIsWrittenLiterally() {
        List<ChatMessage> messages = List.of(ChatMessage.user("Use {{ 7*6 }} here, {{ bos_token }} and {{x}}"));
        assertEquals("<|im_start|>user\nUse {{ 7*6 }} here, {{ bos_token }} and {{x}}<|im_end|>\n",
                CHATML_JINJA.render(messages, false));
        assertEquals("<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\n"
                        + "Use {{ 7*6 }} here, {{ bos_token }} and {{x}}<|eot_id|>",
                LLAMA3.render(messages, false));
    }

    @Test
    void statementInAssistantContentIsWrittenLiterally() {
        List<ChatMessage> messages = List.of(ChatMessage.user("hi"),
                ChatMessage.assistant("Jinja: {% if x %}y{% endif %} and {# c #} {%"));
        assertEquals("<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n"
                        + "Jinja: {% if x %}y{% endif %} and {# c #} {%<|im_end|>\n",
                CHATML_JINJA.render(messages, false));
        RenderedConversation rendered = LLAMA3.renderForTraining(messages);
        RenderedConversation.CharSpan span = rendered.lossSpans().get(0);
        assertEquals("Jinja: {% if x %}y{% endif %} and {# c #} {%<|eot_id|>",
                rendered.text().substring(span.start(), span.end()));
    }
}
