package org.rlhf4j.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class ChatMlTemplateTest {

    @Test
    void rendersTurnsAndGenerationPrompt() {
        assertEquals("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\n2+3?<|im_end|>\n"
                + "<|im_start|>assistant\n", ChatMlTemplate.prompt("Be brief.", "2+3?"));
        assertEquals("<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n", ChatMlTemplate.prompt(null, "hi"));
        assertEquals("<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\nhello<|im_end|>\n",
                ChatMlTemplate.render(List.of(ChatMessage.user("hi"), ChatMessage.assistant("hello")), false));
    }
}
