package org.rlhf4j.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlhf4j.core.tokenizer.ByteTokenizer;
import org.rlhf4j.datasets.io.BadRecordException;
import org.rlhf4j.datasets.io.BadRecords;

/**
 * Preference pairs whose responses are several turns (TRL's conversational form: an assistant tool
 * call, the tool's result, the final answer), explicit and implicit prompts, from the hand-written
 * {@code formats/trl-preference-tools.jsonl}: every assistant turn of a response is in the loss
 * mask, the tool results and headers are not, and the sequence ends at the last end of turn.
 */
class MultiTurnPreferenceTest {

    private static final Path FILE = DataFormatsTest.FORMATS.resolve("trl-preference-tools.jsonl");
    private static final ByteTokenizer BYTES = new ByteTokenizer();

    @TempDir
    Path dir;

    private static List<PreferencePair> pairs(Path file) throws IOException {
        DataConfig data = new DataConfig(file.toString(), null, null, null, null, null, null, null, null, "auto",
                Map.of(), Map.of());
        return PreferenceDataset.read(data.trainFiles(), new BadRecords(false), data.maxRecordBytes(), data.formats());
    }

    private static List<String> roles(List<ChatMessage> messages) {
        return messages.stream().map(ChatMessage::role).toList();
    }

    /** The text of the masked tokens, in order. */
    private static String masked(TrainingSequence s) {
        StringBuilder out = new StringBuilder();
        for (int t = 0; t < s.length(); t++) {
            if (s.lossMask()[t]) {
                out.append(BYTES.decode(new int[] {s.ids()[t]}, false));
            }
        }
        return out.toString();
    }

    @Test
    void responsesOfSeveralTurnsAreReadWithExplicitAndImplicitPrompts() throws IOException {
        List<PreferencePair> pairs = pairs(FILE);
        assertEquals(4, pairs.size());
        // explicit prompt: the chosen response calls a tool, reads its result and answers
        assertEquals(List.of(ChatMessage.user("Weather in Paris?")), pairs.get(0).prompt());
        assertEquals(List.of("assistant", "tool", "assistant"), roles(pairs.get(0).chosen()));
        assertEquals("Sunny, 18C.", pairs.get(0).chosenText());
        assertEquals(List.of("assistant"), roles(pairs.get(0).rejected()));
        // implicit prompt, same tool call in both: the shared turns (call and result) are the prompt
        assertEquals(List.of("user", "assistant", "tool"), roles(pairs.get(1).prompt()));
        assertEquals(List.of(ChatMessage.assistant("25C in Rome.")), pairs.get(1).chosen());
        assertEquals(List.of(ChatMessage.assistant("Cold.")), pairs.get(1).rejected());
        // implicit prompt, different tool calls: both responses start at the call
        assertEquals(List.of(ChatMessage.system("Use tools."), ChatMessage.user("Weather in Oslo?")),
                pairs.get(2).prompt());
        assertEquals(List.of("assistant", "tool", "assistant"), roles(pairs.get(2).chosen()));
        assertEquals(List.of("assistant", "tool", "assistant"), roles(pairs.get(2).rejected()));
        assertEquals("18C", pairs.get(2).rejected().get(1).content());
        // a response that goes on after a user follow-up (TRL allows any continuation ending with the assistant)
        assertEquals(List.of("assistant", "user", "assistant"), roles(pairs.get(3).chosen()));
    }

    @Test
    void everyAssistantTurnOfAResponseIsMaskedAndToolResultsAreNot() throws IOException {
        List<PreferencePair> pairs = pairs(FILE);
        PreferenceEncoder chatml = new PreferenceEncoder(BYTES, ChatTemplate.CHATML, RewardConditions.ignored());
        TokenizedPair first = chatml.encode(pairs.get(0));
        // the built-in ChatML writes contents only: the tool call's turn is empty content + <|im_end|>
        assertEquals("<|im_start|>user\nWeather in Paris?<|im_end|>\n<|im_start|>assistant\n<|im_end|>\n"
                + "<|im_start|>tool\n18C, sunny<|im_end|>\n<|im_start|>assistant\nSunny, 18C.<|im_end|>",
                BYTES.decode(first.chosen().ids(), false));
        assertEquals("<|im_end|>Sunny, 18C.<|im_end|>", masked(first.chosen()));
        assertEquals("I cannot know.<|im_end|>", masked(first.rejected()));
        // shared tool call and result are prompt: only the final answers are scored
        TokenizedPair shared = chatml.encode(pairs.get(1));
        assertEquals("25C in Rome.<|im_end|>", masked(shared.chosen()));
        assertEquals("Cold.<|im_end|>", masked(shared.rejected()));
        TokenizedPair followUp = chatml.encode(pairs.get(3));
        assertEquals("Let me think.<|im_end|>5<|im_end|>", masked(followUp.chosen()), "the user follow-up is context");

        // a template that writes tool calls (Qwen2.5's): the call is trained on, the tool's result is not
        String qwen = Files.readString(Path.of("src/test/resources/chat-templates/templates/qwen2.5.jinja"));
        PreferenceEncoder jinja = new PreferenceEncoder(BYTES, new JinjaChatTemplate(qwen, "qwen2.5.jinja",
                Map.of("eos_token", "<|im_end|>"), Map.of()), RewardConditions.ignored());
        TrainingSequence chosen = jinja.encode(pairs.get(2)).chosen();
        String scored = masked(chosen);
        assertTrue(scored.contains("<tool_call>\n{\"name\": \"weather\", \"arguments\": {\"city\": \"Oslo\"}}\n</tool_call>"
                + "<|im_end|>"), scored);
        assertTrue(scored.endsWith("-3C in Oslo.<|im_end|>"), scored);
        assertFalse(scored.contains("-3C<") || scored.contains("tool_response"), "the tool result is context: " + scored);
        assertFalse(scored.contains("Weather in Oslo?"), scored);
        assertTrue(BYTES.decode(chosen.ids(), false).endsWith("-3C in Oslo.<|im_end|>"), "cut after the last end of turn");
    }

    @Test
    void badMultiTurnResponsesNameTheFieldAndTheExpectedShape() throws IOException {
        String[][] cases = {
            {"{\"prompt\": \"p\", \"chosen\": [{\"role\": \"assistant\", \"content\": \"a\"}, {\"role\": \"tool\","
                + " \"content\": \"r\"}], \"rejected\": \"c\"}",
                ":1: \"chosen\" ends with a tool message; expected the response to end with an assistant message"},
            {"{\"prompt\": \"p\", \"chosen\": [{\"role\": \"assistant\", \"content\": \"a\"}, {\"role\": \"assistant\","
                + " \"content\": \"b\"}], \"rejected\": \"c\"}",
                ":1: \"chosen\" has turns out of order after the prompt (prompt + chosen[2].role is \"assistant\" out of"
                    + " order after \"assistant\""},
            {"{\"chosen\": [{\"role\": \"user\", \"content\": \"q\"}, {\"role\": \"assistant\", \"content\": \"a\"}],"
                + " \"rejected\": [{\"role\": \"user\", \"content\": \"other\"}, {\"role\": \"assistant\", \"content\": \"b\"}]}",
                ":1: \"chosen\" and \"rejected\" do not start with the same turns (\"chosen\" goes on with a user message"
                    + " after 0 shared turn(s)); expected the same conversation up to the user turn they answer"},
        };
        for (String[] c : cases) {
            Path file = Files.writeString(dir.resolve("bad.jsonl"), c[0] + "\n");
            BadRecordException e = assertThrows(BadRecordException.class, () -> pairs(file), c[0]);
            assertTrue(e.getMessage().startsWith(file + c[1]), e.getMessage());
        }
    }
}
