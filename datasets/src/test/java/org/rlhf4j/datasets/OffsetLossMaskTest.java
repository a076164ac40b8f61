package org.rlhf4j.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.rlhf4j.core.config.UserException;
import org.rlhf4j.core.tokenizer.HfTokenizer;
import org.rlhf4j.core.tokenizer.TokenOffsets;

/**
 * Loss masks of real tokenizer families with their models' own templates, found from character
 * offsets of one tokenization of the full render. Fixtures: {@code src/test/resources/tokenizers}
 * (a byte-level BPE with the Qwen3 template, a SentencePiece BPE with the Llama-2-chat template).
 */
class OffsetLossMaskTest {

    private static final Path FIXTURES = Path.of("src/test/resources/tokenizers");

    /** The text of each maximal run of loss tokens, from the first token's start to the last token's end. */
    private static List<String> lossRuns(HfTokenizer tokenizer, String text, TrainingSequence seq) {
        TokenOffsets offsets = tokenizer.encodeWithOffsets(text);
        assertArrayEquals(offsets.ids(), seq.ids(), "the ids are the whole text's");
        List<String> runs = new ArrayList<>();
        boolean[] mask = seq.lossMask();
        for (int t = 0; t < mask.length; t++) {
            if (mask[t] && (t == 0 || !mask[t - 1])) {
                int end = t;
                while (end + 1 < mask.length && mask[end + 1]) {
                    end++;
                }
                runs.add(text.substring(offsets.starts()[t], offsets.ends()[end]));
            }
        }
        return runs;
    }

    @Test
    void qwen3MultiTurnTrainsWhatTheFullRenderShowsOfEachTurn() throws Exception {
        try (HfTokenizer tokenizer = HfTokenizer.load(FIXTURES.resolve("bytelevel-bpe"))) {
            ChatTemplate template = ChatTemplates.select("auto", tokenizer);
            List<ChatMessage> conversation = List.of(ChatMessage.user("2+2?"),
                    ChatMessage.assistant("<think>\nTwo and two.\n</think>\n\n4"), ChatMessage.user("3+3?"),
                    ChatMessage.assistant("<think>Three and three.</think>6"));
            RenderedConversation rendered = template.renderForTraining(conversation);
            // Qwen3 drops the first turn's think block once a later user turn follows: not prefix-stable
            assertEquals("<|im_start|>user\n2+2?<|im_end|>\n<|im_start|>assistant\n4<|im_end|>\n"
                    + "<|im_start|>user\n3+3?<|im_end|>\n<|im_start|>assistant\n"
                    + "<think>\nThree and three.\n</think>\n\n6<|im_end|>\n", rendered.text());
            TrainingSequence seq = new LossMaskEncoder(tokenizer).encode(rendered);
            assertEquals(List.of("4<|im_end|>", "<think>\nThree and three.\n</think>\n\n6<|im_end|>"),
                    lossRuns(tokenizer, rendered.text(), seq));
        }
    }

    @Test
    void qwen3WithThinkingOffTrainsAfterTheEmptyThinkBlockThePromptEndsWith() throws Exception {
        try (HfTokenizer tokenizer = HfTokenizer.load(FIXTURES.resolve("bytelevel-bpe"))) {
            ChatTemplate template = ChatTemplates.select("auto", tokenizer, java.util.Map.of("enable_thinking", false));
            RenderedConversation rendered = template.renderForTraining(
                    List.of(ChatMessage.user("hi"), ChatMessage.assistant("hello")));
            assertEquals("<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\nhello<|im_end|>\n",
                    rendered.text());
            assertEquals("<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n",
                    template.render(List.of(ChatMessage.user("hi")), true));
            TrainingSequence seq = new LossMaskEncoder(tokenizer).encode(rendered);
            assertEquals(List.of("hello<|im_end|>"), lossRuns(tokenizer, rendered.text(), seq));
        }
    }

    @Test
    void llama2SentencePieceTrainsEachAnswerAndItsEos() throws Exception {
        try (HfTokenizer tokenizer = HfTokenizer.load(FIXTURES.resolve("sentencepiece-bpe"))) {
            ChatTemplate template = ChatTemplates.select("auto", tokenizer);
            List<ChatMessage> conversation = List.of(ChatMessage.system("You are terse."),
                    ChatMessage.user("Capital of France?"), ChatMessage.assistant("Paris."),
                    ChatMessage.user("And of Italy?"), ChatMessage.assistant("Rome."));
            RenderedConversation rendered = template.renderForTraining(conversation);
            assertEquals("<s>[INST] <<SYS>>\nYou are terse.\n<</SYS>>\n\nCapital of France? [/INST] Paris. </s>"
                    + "<s>[INST] And of Italy? [/INST] Rome. </s>", rendered.text());
            TrainingSequence seq = new LossMaskEncoder(tokenizer).encode(rendered);
            // the template writes ' ' + content + ' ' + eos_token: the SentencePiece '▁' of the leading space is trained
            assertEquals(List.of(" Paris. </s>", " Rome. </s>"), lossRuns(tokenizer, rendered.text(), seq));
        }
    }

    @Test
    void reasoningContentAndToolCallsReachTheTemplateFromAJsonlRecord() throws Exception {
        try (HfTokenizer tokenizer = HfTokenizer.load(FIXTURES.resolve("bytelevel-bpe"))) {
            RecordRenderer renderer = new RecordRenderer(ChatTemplates.select("auto", tokenizer), tokenizer);
            String line = "{\"messages\": [{\"role\": \"user\", \"content\": \"Weather?\"},"
                    + " {\"role\": \"assistant\", \"content\": null, \"tool_calls\": [{\"type\": \"function\","
                    + " \"function\": {\"name\": \"get\", \"arguments\": {\"city\": \"Paris\"}}}]},"
                    + " {\"role\": \"tool\", \"content\": \"21\"},"
                    + " {\"role\": \"assistant\", \"reasoning_content\": \"It said 21.\", \"content\": \"21 degrees\"}]}";
            com.fasterxml.jackson.databind.JsonNode out = renderer.render(
                    new org.rlhf4j.datasets.io.TextLine(Path.of("chats.jsonl"), 1, line, null));
            String text = out.get("text").asText();
            assertEquals("<|im_start|>user\nWeather?<|im_end|>\n<|im_start|>assistant\n<tool_call>\n"
                    + "{\"name\": \"get\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call><|im_end|>\n"
                    + "<|im_start|>user\n<tool_response>\n21\n</tool_response><|im_end|>\n<|im_start|>assistant\n"
                    + "<think>\nIt said 21.\n</think>\n\n21 degrees<|im_end|>\n", text);
            int[] ids = new int[out.get("ids").size()];
            boolean[] mask = new boolean[ids.length];
            for (int t = 0; t < ids.length; t++) {
                ids[t] = out.get("ids").get(t).asInt();
                mask[t] = out.get("loss_mask").get(t).asInt() == 1;
            }
            // both assistant turns are trained: the tool call and the answer with its reasoning
            assertEquals(List.of("<tool_call>\n{\"name\": \"get\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call><|im_end|>",
                    "<think>\nIt said 21.\n</think>\n\n21 degrees<|im_end|>"),
                    lossRuns(tokenizer, text, TrainingSequence.of(ids, mask)));
        }
    }

    @Test
    void aBrokenTemplateInAModelDirectoryIsNamedWithItsFileAndLine(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        java.nio.file.Files.copy(FIXTURES.resolve("bytelevel-bpe/tokenizer.json"), dir.resolve("tokenizer.json"));
        java.nio.file.Files.writeString(dir.resolve("tokenizer_config.json"),
                "{\"eos_token\": \"<|im_end|>\", \"chat_template\": \"{% for m in messages %}\\n{{ m.content | shout }}{% endfor %}\"}");
        try (HfTokenizer tokenizer = HfTokenizer.load(dir)) {
            ChatTemplate template = ChatTemplates.select("auto", tokenizer);
            UserException e = org.junit.jupiter.api.Assertions.assertThrows(UserException.class,
                    () -> template.render(List.of(ChatMessage.user("hi")), true));
            assertEquals(dir.resolve("tokenizer_config.json") + " (chat_template), template line 2: no filter named 'shout'",
                    e.getMessage());
        }
    }
}
