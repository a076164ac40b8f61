package org.rlhf4j.sft;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.rlhf4j.core.tokenizer.ByteTokenizer;
import org.rlhf4j.datasets.ChatMessage;
import org.rlhf4j.datasets.TrainingSequence;

class ChatMlSequencesTest {

    private static String targets(TrainingSequence s) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            if (s.lossMask()[i]) {
                int id = s.ids()[i];
                out.append(id == ByteTokenizer.IM_END_ID ? "<E>" : String.valueOf((char) id));
            }
        }
        return out.toString();
    }

    @Test
    void onlyAssistantContentAndItsImEndAreTargets() {
        List<ChatMessage> c = List.of(ChatMessage.system("s"), ChatMessage.user("add 2 3"), ChatMessage.assistant("5"),
                ChatMessage.user("again"), ChatMessage.assistant("5!"));
        TrainingSequence s = ChatMlSequences.conversation(c, new ByteTokenizer(), true, 512);
        assertEquals("5<E>5!<E>", targets(s));
        assertEquals(new ByteTokenizer().encode(org.rlhf4j.datasets.ChatMlTemplate.render(c, false)).length, s.length());
    }

    @Test
    void completionOnlyOffAndPretrainTargetEveryTokenButTheFirst() {
        TrainingSequence all = ChatMlSequences.conversation(List.of(ChatMessage.user("a"), ChatMessage.assistant("b")),
                new ByteTokenizer(), false, 512);
        assertEquals(all.length() - 1, all.lossTokens());
        TrainingSequence text = ChatMlSequences.text("abcd", new ByteTokenizer(), 3); // truncated to 3
        assertArrayEquals(new int[] {'a', 'b', 'c'}, text.ids());
        assertArrayEquals(new boolean[] {false, true, true}, text.lossMask());
    }

    @Test
    void batchOrderIsASeededPermutationPerEpochAndResumable() {
        BatchOrder order = new BatchOrder(10, 4, 7); // 3 batches: 4, 4, 2
        assertEquals(3, order.batchesPerEpoch());
        BatchOrder.Position p = new BatchOrder.Position(0, 0);
        java.util.Set<Integer> seen = new java.util.TreeSet<>();
        for (int i = 0; i < 3; i++) {
            for (int row : order.rowsAt(p)) {
                seen.add(row);
            }
            p = order.next(p);
        }
        assertEquals(new BatchOrder.Position(1, 0), p);
        assertEquals(10, seen.size()); // each row once per epoch
        // a fresh instance (a resumed process) reads the same batch at the same position
        assertArrayEquals(order.rowsAt(new BatchOrder.Position(1, 2)), new BatchOrder(10, 4, 7).rowsAt(new BatchOrder.Position(1, 2)));
        assertEquals(2, order.rowsAt(new BatchOrder.Position(1, 2)).length);
    }
}
