package org.rlhf4j.core.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlhf4j.core.config.UserException;

/** HfTokenizer on a hand-written WordLevel tokenizer.json whose post-processor adds a BOS, like Llama's. */
class HfTokenizerTest {

    // vocab: [UNK]=0 hello=1 world=2 the=3 cat=4 sat=5; added: <s>=6 </s>=7 (special), <tool>=8 (not special)
    private static final String TOKENIZER_JSON = """
            {
              "version": "1.0",
              "truncation": null,
              "padding": null,
              "added_tokens": [
                {"id": 6, "content": "<s>", "single_word": false, "lstrip": false, "rstrip": false,
                 "normalized": false, "special": true},
                {"id": 7, "content": "</s>", "single_word": false, "lstrip": false, "rstrip": false,
                 "normalized": false, "special": true},
                {"id": 8, "content": "<tool>", "single_word": false, "lstrip": false, "rstrip": false,
                 "normalized": false, "special": false}
              ],
              "normalizer": null,
              "pre_tokenizer": {"type": "WhitespaceSplit"},
              "post_processor": {
                "type": "TemplateProcessing",
                "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
                "pair": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                         {"Sequence": {"id": "B", "type_id": 1}}],
                "special_tokens": {"<s>": {"id": "<s>", "ids": [6], "tokens": ["<s>"]}}
              },
              "decoder": null,
              "model": {
                "type": "WordLevel",
                "vocab": {"[UNK]": 0, "hello": 1, "world": 2, "the": 3, "cat": 4, "sat": 5},
                "unk_token": "[UNK]"
              }
            }
            """;

    // eos_token in the AddedToken object form transformers writes; bos as a plain string; no pad
    private static final String TOKENIZER_CONFIG_JSON = """
            {
              "tokenizer_class": "PreTrainedTokenizerFast",
              "bos_token": "<s>",
              "eos_token": {"__type": "AddedToken", "content": "</s>", "lstrip": false, "normalized": false,
                            "rstrip": false, "single_word": false},
              "model_max_length": 512,
              "chat_template": "{{ bos_token }}{% for m in messages %}{{ m['content'] }}{% endfor %}"
            }
            """;

    private static Path writeTokenizer(Path dir, boolean withConfig) throws IOException {
        Files.writeString(dir.resolve("tokenizer.json"), TOKENIZER_JSON);
        if (withConfig) {
            Files.writeString(dir.resolve("tokenizer_config.json"), TOKENIZER_CONFIG_JSON);
        }
        return dir;
    }

    @Test
    void encodeLeavesOutThePostProcessorsBosUnlessAsked(@TempDir Path dir) throws IOException {
        try (HfTokenizer tokenizer = HfTokenizer.load(writeTokenizer(dir, true))) {
            assertArrayEquals(new int[] {1, 2}, tokenizer.encode("hello world"));
            assertArrayEquals(new int[] {6, 1, 2}, tokenizer.encode("hello world", true));
            // unknown word -> [UNK] = 0
            assertArrayEquals(new int[] {3, 0, 5}, tokenizer.encode("the dog sat"));
        }
    }

    @Test
    void specialTokensWrittenInTextMapToTheirIds(@TempDir Path dir) throws IOException {
        try (HfTokenizer tokenizer = HfTokenizer.load(writeTokenizer(dir, true))) {
            // added tokens are split out before pre-tokenization, even when glued to a word
            assertArrayEquals(new int[] {6, 1, 7}, tokenizer.encode("<s>hello</s>"));
            assertArrayEquals(new int[] {4, 8, 5}, tokenizer.encode("cat <tool> sat"));
            // a BOS written in the text (as chat templates do) is not doubled by encode(text)
            assertArrayEquals(new int[] {6, 3, 4}, tokenizer.encode("<s> the cat"));
        }
    }

    @Test
    void decodeJoinsWordsAndCanSkipSpecials(@TempDir Path dir) throws IOException {
        try (HfTokenizer tokenizer = HfTokenizer.load(writeTokenizer(dir, true))) {
            // WordLevel without a decoder joins tokens with spaces
            assertEquals("<s> hello world </s>", tokenizer.decode(new int[] {6, 1, 2, 7}));
            assertEquals("hello world", tokenizer.decode(new int[] {6, 1, 2, 7}, true));
            // <tool> is added but not special: it stays when specials are skipped
            assertEquals("cat <tool>", tokenizer.decode(new int[] {4, 8, 7}, true));
        }
    }

    @Test
    void specialIdsComeFromTokenizerConfig(@TempDir Path dir) throws IOException {
        try (HfTokenizer tokenizer = HfTokenizer.load(writeTokenizer(dir, true))) {
            assertEquals(7, tokenizer.eosId());
            assertEquals(OptionalInt.of(6), tokenizer.bosId());
            assertEquals(OptionalInt.empty(), tokenizer.padId());
            assertEquals(List.of("<s>", "</s>"), tokenizer.specialTokens());
            assertEquals(OptionalInt.of(8), tokenizer.tokenId("<tool>"));
            assertEquals(OptionalInt.of(4), tokenizer.tokenId("cat"));
            assertEquals(OptionalInt.empty(), tokenizer.tokenId("dog"));
            // ids 0..8
            assertEquals(9, tokenizer.vocabSize());
            assertEquals(Optional.of("{{ bos_token }}{% for m in messages %}{{ m['content'] }}{% endfor %}"),
                    tokenizer.chatTemplate());
        }
    }

    @Test
    void inputsLongerThan512TokensAreNotTruncated(@TempDir Path dir) throws IOException {
        String text = "hello world the cat sat ".repeat(140); // 5 words x 140 = 700 tokens
        try (HfTokenizer tokenizer = HfTokenizer.load(writeTokenizer(dir, true))) {
            int[] ids = tokenizer.encode(text);
            assertEquals(700, ids.length);
            assertEquals(5, ids[699]);
            assertEquals(701, tokenizer.encode(text, true).length);
            assertEquals(text.strip(), tokenizer.decode(ids));
        }
    }

    @Test
    void streamingDecoderMatchesDecode(@TempDir Path dir) throws IOException {
        try (HfTokenizer tokenizer = HfTokenizer.load(writeTokenizer(dir, true))) {
            int[] ids = {6, 1, 2, 3, 4, 5, 7};
            StreamingDecoder stream = tokenizer.streamingDecoder(true);
            StringBuilder out = new StringBuilder();
            for (int id : ids) {
                out.append(stream.push(id));
            }
            out.append(stream.finish());
            assertEquals("hello world the cat sat", out.toString());
        }
    }

    @Test
    void saveCopiesTheSourceFilesWithTheirChatTemplate(@TempDir Path dir) throws IOException {
        Path source = Files.createDirectory(dir.resolve("source"));
        Path target = dir.resolve("target");
        try (HfTokenizer tokenizer = HfTokenizer.load(writeTokenizer(source, true))) {
            tokenizer.save(target);
        }
        assertEquals(TOKENIZER_JSON, Files.readString(target.resolve("tokenizer.json")));
        assertEquals(TOKENIZER_CONFIG_JSON, Files.readString(target.resolve("tokenizer_config.json")));
        try (Tokenizer reloaded = Tokenizers.load(target)) {
            assertTrue(reloaded instanceof HfTokenizer);
            assertArrayEquals(new int[] {1, 7}, reloaded.encode("hello</s>"));
            assertEquals(7, reloaded.eosId());
        }
    }

    @Test
    void withoutTokenizerConfigEosIsUnknownAndSaveWritesAMinimalConfig(@TempDir Path dir) throws IOException {
        Path source = Files.createDirectory(dir.resolve("source"));
        // the chat template may live in its own file, as transformers >= 4.43 can write it
        Files.writeString(source.resolve("chat_template.jinja"), "{{ messages }}");
        try (HfTokenizer tokenizer = HfTokenizer.load(writeTokenizer(source, false))) {
            IllegalStateException error = assertThrows(IllegalStateException.class, tokenizer::eosId);
            assertTrue(error.getMessage().contains("eos_token"), error.getMessage());
            assertEquals(OptionalInt.empty(), tokenizer.bosId());
            assertEquals(Optional.of("{{ messages }}"), tokenizer.chatTemplate());
            tokenizer.save(dir.resolve("target"));
        }
        JsonNode config = new ObjectMapper().readTree(dir.resolve("target/tokenizer_config.json").toFile());
        assertEquals("PreTrainedTokenizerFast", config.path("tokenizer_class").asText());
        assertEquals("{{ messages }}", Files.readString(dir.resolve("target/chat_template.jinja")));
    }

    @Test
    void eosTokenMissingFromTheVocabularyIsAnError(@TempDir Path dir) throws IOException {
        writeTokenizer(dir, false);
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"eos_token\": \"<|eot_id|>\"}");
        UserException error = assertThrows(UserException.class, () -> HfTokenizer.load(dir));
        assertTrue(error.getMessage().contains("<|eot_id|>"), error.getMessage());
    }

    @Test
    void unigramVocabularyIsReadFromItsListForm(@TempDir Path dir) throws IOException {
        // Unigram stores [piece, log-probability] pairs; the index is the id
        Files.writeString(dir.resolve("tokenizer.json"), """
                {"version": "1.0", "truncation": null, "padding": null, "added_tokens": [],
                 "normalizer": null, "pre_tokenizer": null, "post_processor": null, "decoder": null,
                 "model": {"type": "Unigram", "unk_id": 0, "byte_fallback": false,
                           "vocab": [["<unk>", 0.0], ["hello", -1.0], ["h", -5.0], ["e", -5.0],
                                     ["l", -5.0], ["o", -5.0]]}}
                """);
        try (HfTokenizer tokenizer = HfTokenizer.load(dir)) {
            // "hello" as one piece scores -1, better than five letters at -25
            assertArrayEquals(new int[] {1}, tokenizer.encode("hello"));
            assertArrayEquals(new int[] {2, 5}, tokenizer.encode("ho"));
            assertEquals(OptionalInt.of(4), tokenizer.tokenId("l"));
            assertEquals(6, tokenizer.vocabSize());
        }
    }
}
