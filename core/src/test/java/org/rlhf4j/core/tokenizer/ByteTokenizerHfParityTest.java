package org.rlhf4j.core.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checks the tokenizer.json that ByteTokenizer writes against the real Hugging Face tokenizers library. */
class ByteTokenizerHfParityTest {

    private static final List<String> TEXTS = List.of(
            "Hello, world!",
            "   three leading spaces and trailing  ",
            " leading space",
            "emoji 😀🎉👍🏽 and CJK 中文字符 日本語",
            "line1\nline2\r\n\ttabbed\n\n",
            "<|im_start|>system\nYou are helpful.<|im_end|>\n<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n",
            "before<|endoftext|>after<|im_end|><|im_start|>",
            "almost special <|im_end and <|endoftext",
            "naïve café ünïcödé ß Ω",
            "\u0000\u0001\u007f control bytes",
            "");

    private final ByteTokenizer tokenizer = new ByteTokenizer();

    @Test
    void huggingFaceLibraryEncodesSavedFileToTheSameIds(@TempDir Path dir) throws IOException {
        tokenizer.save(dir);
        // the post-processor is asked for too: the saved file must add nothing
        try (HuggingFaceTokenizer hf = HuggingFaceTokenizer.newInstance(dir.resolve("tokenizer.json"),
                Map.of("addSpecialTokens", "true", "truncation", "false", "padding", "false"))) {
            for (String text : TEXTS) {
                int[] ours = tokenizer.encode(text);
                long[] theirs = hf.encode(text, true, false).getIds();
                assertArrayEquals(Arrays.stream(ours).asLongStream().toArray(), theirs, text);
                assertEquals(text, hf.decode(theirs, false), text);
                assertEquals(tokenizer.decode(ours, true), hf.decode(theirs, true), text);
            }
        }
    }

    @Test
    void huggingFaceLibraryDecodesInvalidUtf8LikeByteTokenizer(@TempDir Path dir) throws IOException {
        tokenizer.save(dir);
        int[][] cases = {
            {0xF0, 0x9F, 0x98}, // 😀 cut before its last byte
            {0x80, 'h'}, // lone continuation byte
            {0xC0, 0x80}, // overlong NUL
            {0xED, 0xA0, 0x80}, // UTF-16 surrogate encoded in UTF-8
            {0xF4, 0x90, 0x80, 0x80}, // above U+10FFFF
            {'h', 0xF0, 0x9F, 258, 'i'}, // truncated character before a special
            {0xE4, 0xB8, 0xFF, 0xAD}, // invalid byte inside a character
        };
        try (HuggingFaceTokenizer hf = HuggingFaceTokenizer.newInstance(dir.resolve("tokenizer.json"),
                Map.of("truncation", "false", "padding", "false"))) {
            for (int[] ids : cases) {
                long[] wide = Arrays.stream(ids).asLongStream().toArray();
                assertEquals(hf.decode(wide, false), tokenizer.decode(ids, false), Arrays.toString(ids));
                assertEquals(hf.decode(wide, true), tokenizer.decode(ids, true), Arrays.toString(ids));
            }
            Random random = new Random(11);
            for (int trial = 0; trial < 300; trial++) {
                int[] ids = new int[random.nextInt(24)];
                for (int i = 0; i < ids.length; i++) {
                    ids[i] = random.nextInt(3) == 0 ? random.nextInt(259) : 0x80 + random.nextInt(0x78);
                }
                long[] wide = Arrays.stream(ids).asLongStream().toArray();
                assertEquals(hf.decode(wide, false), tokenizer.decode(ids, false), Arrays.toString(ids));
                assertEquals(hf.decode(wide, true), tokenizer.decode(ids, true), Arrays.toString(ids));
            }
        }
    }

    @Test
    void hfTokenizerOnSavedFileAgreesWithByteTokenizer(@TempDir Path dir) throws IOException {
        tokenizer.save(dir);
        try (HfTokenizer hf = HfTokenizer.load(dir)) {
            for (String text : TEXTS) {
                assertArrayEquals(tokenizer.encode(text), hf.encode(text), text);
                assertArrayEquals(tokenizer.encode(text), hf.encode(text, true), text);
            }
            assertEquals(259, hf.vocabSize());
            assertEquals(258, hf.eosId());
            assertEquals(OptionalInt.of(256), hf.padId());
            assertEquals(OptionalInt.empty(), hf.bosId());
            assertEquals(tokenizer.specialTokens(), hf.specialTokens());
            assertEquals(OptionalInt.of(32), hf.tokenId("Ġ"));
            assertEquals(ByteTokenizer.CHATML_TEMPLATE, hf.chatTemplate().orElseThrow());
        }
    }

    @Test
    void savedConfigIsWhatTransformersExpects(@TempDir Path dir) throws IOException {
        tokenizer.withModelMaxLength(2048).save(dir);
        JsonNode config = new ObjectMapper().readTree(dir.resolve("tokenizer_config.json").toFile());
        assertEquals("PreTrainedTokenizerFast", config.path("tokenizer_class").asText());
        assertEquals(true, config.path("bos_token").isNull());
        assertEquals("<|im_end|>", config.path("eos_token").asText());
        assertEquals("<|endoftext|>", config.path("pad_token").asText());
        assertEquals(2048, config.path("model_max_length").asInt());
        assertEquals("<|im_start|>", config.path("added_tokens_decoder").path("257").path("content").asText());
        assertEquals(true, config.path("added_tokens_decoder").path("258").path("special").asBoolean());
        assertEquals(ByteTokenizer.CHATML_TEMPLATE, config.path("chat_template").asText());
        assertEquals("{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content']"
                + " + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}"
                + "{% endif %}", ByteTokenizer.CHATML_TEMPLATE.replace("\\n", "\n"));

        JsonNode json = new ObjectMapper().readTree(dir.resolve("tokenizer.json").toFile());
        assertEquals(256, json.path("model").path("vocab").size());
        // byte b has id b, spelled with the GPT-2 alphabet: space is 'Ġ', newline 'Ċ'
        assertEquals(32, json.path("model").path("vocab").path("Ġ").asInt());
        assertEquals(10, json.path("model").path("vocab").path("Ċ").asInt());
        assertEquals(0, json.path("model").path("merges").size());
    }

    @Test
    void loadRecognisesTheSavedByteTokenizer(@TempDir Path dir) throws IOException {
        tokenizer.withModelMaxLength(4096).withChatTemplate("{{ messages }}").save(dir);
        try (Tokenizer loaded = Tokenizers.load(dir)) {
            ByteTokenizer bytes = assertInstanceOf(ByteTokenizer.class, loaded);
            assertEquals("{{ messages }}", bytes.chatTemplate().orElseThrow());
            assertEquals(OptionalInt.of(4096), bytes.modelMaxLength());
        }
    }

    @Test
    void loadSendsAnAlteredByteTokenizerToTheNativeLibrary(@TempDir Path dir) throws IOException {
        tokenizer.save(dir);
        // same tokenizer.json, but the config makes <|endoftext|> the EOS: no longer ours
        ObjectMapper json = new ObjectMapper();
        ObjectNode config = (ObjectNode) json.readTree(dir.resolve("tokenizer_config.json").toFile());
        config.put("eos_token", "<|endoftext|>");
        json.writeValue(dir.resolve("tokenizer_config.json").toFile(), config);
        try (Tokenizer loaded = Tokenizers.load(dir)) {
            assertInstanceOf(HfTokenizer.class, loaded);
            assertEquals(256, loaded.eosId());
        }
        // a lowercasing normalizer changes encoding: no longer ours either
        config.put("eos_token", "<|im_end|>");
        json.writeValue(dir.resolve("tokenizer_config.json").toFile(), config);
        ObjectNode root = (ObjectNode) json.readTree(dir.resolve("tokenizer.json").toFile());
        root.putObject("normalizer").put("type", "Lowercase");
        Files.writeString(dir.resolve("tokenizer.json"), json.writeValueAsString(root));
        try (Tokenizer loaded = Tokenizers.load(dir)) {
            assertInstanceOf(HfTokenizer.class, loaded);
            // 'h' = 104, 'i' = 105
            assertArrayEquals(new int[] {104, 105}, loaded.encode("HI"));
        }
    }
}
