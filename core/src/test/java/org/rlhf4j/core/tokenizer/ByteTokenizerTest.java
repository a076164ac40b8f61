package org.rlhf4j.core.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class ByteTokenizerTest {

    private final ByteTokenizer tokenizer = new ByteTokenizer();

    @Test
    void asciiIsOneIdPerByte() {
        // 'h' = 0x68 = 104, 'i' = 0x69 = 105, ' ' = 32, '\n' = 10
        assertArrayEquals(new int[] {104, 105, 32, 10}, tokenizer.encode("hi \n"));
        assertArrayEquals(new int[0], tokenizer.encode(""));
    }

    @Test
    void multiByteCharactersAreTheirUtf8Bytes() {
        // é = C3 A9; 中 = E4 B8 AD; 😀 U+1F600 = F0 9F 98 80
        assertArrayEquals(new int[] {0xC3, 0xA9}, tokenizer.encode("é"));
        assertArrayEquals(new int[] {0xE4, 0xB8, 0xAD}, tokenizer.encode("中"));
        assertArrayEquals(new int[] {0xF0, 0x9F, 0x98, 0x80}, tokenizer.encode("😀"));
    }

    @Test
    void specialTokensInsideTextMapToTheirIds() {
        // a=97, b=98, <|im_start|>=257, <|im_end|>=258, <|endoftext|>=256
        assertArrayEquals(new int[] {97, 257, 98, 258}, tokenizer.encode("a<|im_start|>b<|im_end|>"));
        assertArrayEquals(new int[] {258, 256}, tokenizer.encode("<|im_end|><|endoftext|>"));
        // '<' = 60 before a special; an unfinished special is plain bytes: '<','|','i','m' ...
        assertArrayEquals(new int[] {60, 258}, tokenizer.encode("<<|im_end|>"));
        assertArrayEquals(new int[] {60, 124, 105, 109}, tokenizer.encode("<|im"));
        assertArrayEquals(new int[] {257, 117, 115, 101, 114, 10, 0xE4, 0xB8, 0xAD, 258},
                tokenizer.encode("<|im_start|>user\n中<|im_end|>"));
    }

    @Test
    void encodeAddsNothingEvenWhenAskedForSpecialTokens() {
        String text = "<|im_start|>user\nhi";
        assertArrayEquals(tokenizer.encode(text), tokenizer.encode(text, true));
    }

    @Test
    void decodeRoundTripsTextWithSpecialsAndMultiByteCharacters() {
        List<String> texts = List.of("", "plain ascii", "  leading spaces", "naïve café 中文 😀🎉",
                "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>assistant\n", "tab\there\r\nnext");
        for (String text : texts) {
            assertEquals(text, tokenizer.decode(tokenizer.encode(text)), text);
        }
    }

    @Test
    void decodeCanSkipSpecialTokens() {
        int[] ids = {257, 104, 105, 258, 256};
        assertEquals("<|im_start|>hi<|im_end|><|endoftext|>", tokenizer.decode(ids));
        assertEquals("hi", tokenizer.decode(ids, true));
    }

    @Test
    void invalidUtf8DecodesToReplacementCharacters() {
        // F0 9F 98 is 😀 without its last byte: one U+FFFD for the truncated sequence
        assertEquals("\uFFFD", tokenizer.decode(new int[] {0xF0, 0x9F, 0x98}));
        // a lone continuation byte
        assertEquals("\uFFFDh", tokenizer.decode(new int[] {0x80, 104}));
        // maximal subparts: ED may not take A0 (that would be a surrogate), so ED, A0 and 80 are each
        // one invalid part; C0 can never start a character, so C0 and 80 are two
        assertEquals("\uFFFD\uFFFD\uFFFD", tokenizer.decode(new int[] {0xED, 0xA0, 0x80}));
        assertEquals("\uFFFD\uFFFD", tokenizer.decode(new int[] {0xC0, 0x80}));
        // E4 B8 then 'a': the truncated character is one part and 'a' survives
        assertEquals("\uFFFDa", tokenizer.decode(new int[] {0xE4, 0xB8, 'a'}));
        // a written special ends the byte run: "h", U+FFFD for F0 9F, then the special
        assertEquals("h\uFFFD<|im_end|>", tokenizer.decode(new int[] {104, 0xF0, 0x9F, 258}));
        // a skipped special does not: F0 9F + 98 80 is still 😀
        assertEquals("😀", tokenizer.decode(new int[] {0xF0, 0x9F, 258, 0x98, 0x80}, true));
    }

    @Test
    void decodeSkipsIdsOutsideTheVocabulary() {
        assertEquals("hi", tokenizer.decode(new int[] {104, 259, 1000, -1, 105}));
    }

    @Test
    void specialTokenIdsFollowQwen2ChatMl() {
        assertEquals(259, tokenizer.vocabSize());
        assertEquals(258, tokenizer.eosId());
        assertEquals(OptionalInt.of(256), tokenizer.padId());
        assertEquals(OptionalInt.empty(), tokenizer.bosId());
        assertEquals(List.of("<|endoftext|>", "<|im_start|>", "<|im_end|>"), tokenizer.specialTokens());
        assertEquals(OptionalInt.of(257), tokenizer.tokenId("<|im_start|>"));
        assertTrue(tokenizer.chatTemplate().orElseThrow().contains("<|im_start|>assistant\\n"));
    }

    @Test
    void tokenIdSpellsBytesWithTheGpt2Alphabet() {
        // bytes_to_unicode: '!'..'~' are themselves; byte 0 -> U+0100, space (32) -> U+0120 'Ġ',
        // newline (10) -> U+010A 'Ċ', 0x7F -> U+0121 (the 34th remapped byte), 0xAD -> U+0143 (the last)
        assertEquals(OptionalInt.of(97), tokenizer.tokenId("a"));
        assertEquals(OptionalInt.of(0), tokenizer.tokenId("\u0100"));
        assertEquals(OptionalInt.of(32), tokenizer.tokenId("Ġ"));
        assertEquals(OptionalInt.of(10), tokenizer.tokenId("Ċ"));
        assertEquals(OptionalInt.of(0x7F), tokenizer.tokenId("\u0121"));
        assertEquals(OptionalInt.of(0xAD), tokenizer.tokenId("\u0143"));
        assertEquals(OptionalInt.of(0xE9), tokenizer.tokenId("é"));
        assertEquals(OptionalInt.empty(), tokenizer.tokenId(" "));
        assertEquals(OptionalInt.empty(), tokenizer.tokenId("ab"));
    }
}
