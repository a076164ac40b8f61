package org.rlhf4j.dpo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.rlhf4j.core.config.UserException;
import org.rlhf4j.core.tokenizer.ByteTokenizer;
import org.rlhf4j.datasets.TokenizedPair;
import org.rlhf4j.datasets.TrainingSequence;

class DpoPairTest {

    private static int[] bytes(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        int[] out = new int[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = b[i] & 0xff;
        }
        return out;
    }

    @Test
    void theResponseIsTheLastAssistantTurnAndEverythingBeforeItThePrompt() {
        DpoPair p = DpoPair.of(DpoFixtures.pair("hi", "yes!", "no."), 3, 64, 32);
        // <|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n: 1 + 5 + 2 + 1 + 1 + 1 + 10 = 21 tokens
        assertEquals(21, p.prompt().length);
        assertEquals(ByteTokenizer.IM_START_ID, p.prompt()[0]);
        // content then <|im_end|>; the trailing newline is not scored
        int[] chosen = Arrays.copyOf(bytes("yes!"), 5);
        chosen[4] = ByteTokenizer.IM_END_ID;
        assertArrayEquals(chosen, p.chosen());
        assertEquals(4, p.rejected().length); // "no." + <|im_end|>
        assertEquals(3, p.index());
        assertFalse(p.truncated());
        assertEquals(21 + 5, p.longerLength());
    }

    @Test
    void aLongPairLosesThePromptStartThenTheResponseEnds() {
        TokenizedPair pair = DpoFixtures.pair("x".repeat(30), "a".repeat(20), "b".repeat(5));
        // prompt 19 + 30 = 49 tokens, chosen 21, rejected 6: 70 > 40
        DpoPair p = DpoPair.of(pair, 0, 40, 25);
        assertTrue(p.truncated());
        assertEquals(25, p.prompt().length); // keeps the end: the assistant header
        DpoPair whole = DpoPair.of(pair, 0, 100, 50);
        assertArrayEquals(Arrays.copyOfRange(whole.prompt(), 49 - 25, 49), p.prompt());
        assertEquals(15, p.chosen().length); // 40 - 25, cut at the end
        assertArrayEquals(Arrays.copyOf(whole.chosen(), 15), p.chosen());
        assertEquals(6, p.rejected().length); // fits: untouched
    }

    @Test
    void pairsThatTruncationMadeIdenticalAreNamedInAWarning() {
        // the responses differ only after their first 20 characters; 40 tokens leave room for 40 - 25 = 15
        TokenizedPair pair = DpoFixtures.pair("x".repeat(30), "a".repeat(20) + "b", "a".repeat(20) + "c");
        DpoPair cut = DpoPair.of(pair, 0, 40, 25);
        DpoPair whole = DpoPair.of(pair, 1, 100, 50);
        assertTrue(cut.identical() && cut.truncated());
        assertFalse(whole.identical());
        String warning = new DpoTrainer.Pairs(List.of(cut, whole), List.of(), 1).identicalWarning(40).orElseThrow();
        assertTrue(warning.startsWith("1 pair(s) have identical chosen and rejected responses after truncation"
                + " to train.max_seq_len 40 (test:" + "x".repeat(30) + ")"), warning);
        assertTrue(new DpoTrainer.Pairs(List.of(whole), List.of(), 0).identicalWarning(100).isEmpty());
    }

    @Test
    void pairsThatDoNotShareThePromptOrHaveNoResponseAreRefused() {
        TokenizedPair a = DpoFixtures.pair("one", "x", "y");
        TokenizedPair b = DpoFixtures.pair("two", "x", "y");
        UserException e = assertThrows(UserException.class,
                () -> DpoPair.of(new TokenizedPair(a.chosen(), b.rejected(), a.pair()), 0, 64, 32));
        assertTrue(e.getMessage().startsWith("test:one: "), e.getMessage());
        TrainingSequence noLoss = TrainingSequence.of(new int[] {1, 2, 3}, new boolean[3]);
        assertThrows(UserException.class,
                () -> DpoPair.of(new TokenizedPair(noLoss, a.rejected(), a.pair()), 0, 64, 32));
        assertThrows(UserException.class, () -> DpoPair.of(a, 0, 64, 64));
    }
}
