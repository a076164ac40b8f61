package org.rlhf4j.core.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

class StreamingDecoderTest {

    private final ByteTokenizer tokenizer = new ByteTokenizer();

    @Test
    void holdsBackASplitCharacterUntilItsLastByte() {
        StreamingDecoder stream = tokenizer.streamingDecoder(false);
        // "a😀b": 61 | F0 9F 98 80 | 62
        assertEquals("a", stream.push('a'));
        assertEquals("", stream.push(0xF0));
        assertEquals("", stream.push(0x9F));
        assertEquals("", stream.push(0x98));
        assertEquals("😀", stream.push(0x80));
        assertEquals("b", stream.push('b'));
        assertEquals("", stream.finish());
    }

    @Test
    void finishTurnsAnUnfinishedCharacterIntoReplacement() {
        // generation stopped after 2 of the 3 bytes of 中 (E4 B8 AD)
        StreamingDecoder stream = tokenizer.streamingDecoder(false);
        assertEquals("x", stream.push('x'));
        assertEquals("", stream.push(0xE4));
        assertEquals("", stream.push(0xB8));
        assertEquals("\uFFFD", stream.finish());
        // finish resets: the next sequence starts clean
        assertEquals("y", stream.push('y'));
    }

    @Test
    void specialTokensAreWrittenOrSkipped() {
        StreamingDecoder written = tokenizer.streamingDecoder(false);
        assertEquals("", written.push(0xF0));
        assertEquals("\uFFFD<|im_end|>", written.push(258));

        StreamingDecoder skipping = tokenizer.streamingDecoder(true);
        assertEquals("", skipping.push(257));
        assertEquals("o", skipping.push('o'));
        assertEquals("", skipping.push(258));
    }

    @Test
    void byteStreamConcatenatesToDecodeOnRandomIds() {
        Random random = new Random(7);
        for (int trial = 0; trial < 200; trial++) {
            int[] ids = new int[random.nextInt(40)];
            for (int i = 0; i < ids.length; i++) {
                // bias towards high bytes so that multi-byte, truncated and invalid sequences all occur
                ids[i] = random.nextInt(4) == 0 ? random.nextInt(262) : 0x80 + random.nextInt(0x78);
            }
            for (boolean skip : new boolean[] {false, true}) {
                assertEquals(tokenizer.decode(ids, skip), streamAll(tokenizer.streamingDecoder(skip), ids),
                        "trial " + trial + " skip " + skip);
            }
        }
    }

    @Test
    void prefixDiffStreamMatchesDecodeOnValidText() {
        String text = "<|im_start|>assistant\nCafé: 中文, emoji 😀🎉, done.<|im_end|>";
        int[] ids = tokenizer.encode(text);
        for (boolean skip : new boolean[] {false, true}) {
            StreamingDecoder stream = new PrefixDiffStreamingDecoder(tokenizer, skip);
            StringBuilder out = new StringBuilder();
            for (int id : ids) {
                String piece = stream.push(id);
                // nothing emitted may contain a half character
                assertEquals(-1, piece.indexOf('\uFFFD'), piece);
                out.append(piece);
            }
            out.append(stream.finish());
            assertEquals(tokenizer.decode(ids, skip), out.toString());
        }
    }

    private static String streamAll(StreamingDecoder stream, int[] ids) {
        StringBuilder out = new StringBuilder();
        for (int id : ids) {
            out.append(stream.push(id));
        }
        return out.append(stream.finish()).toString();
    }
}
