package org.rlhf4j.datasets;

import java.util.ArrayList;
import java.util.List;
import org.rlhf4j.core.tokenizer.Tokenizer;

/**
 * Turns a prompt and a response into the token sequence a reward model scores and DPO sums
 * log-probabilities over: the condition's system turn (if any), the prompt turns and the response
 * as the assistant turn, rendered by the chat template and cut right after the response's end of
 * turn (ChatML: after {@code <|im_end|>}, without the newline the template writes next).
 *
 * <p>Ending there makes a scored sequence end with the token generation stops at (the EOS
 * {@code <|im_end|>}), so a reward model reads its score at the same token during training, in
 * {@code rlhf4j score} and on PPO rollouts. The loss mask marks the response tokens (content and
 * end of turn), as in SFT.
 */
public final class PreferenceEncoder {

    private final ChatTemplate template;
    private final RewardConditions conditions;
    private final LossMaskEncoder encoder;

    /**
     * @param tokenizer the model's tokenizer
     * @param template the chat template ({@link ChatTemplates#select})
     * @param conditions how a pair's {@code condition} becomes a system turn
     *     ({@link RewardConditions#ignored()} to leave prompts as they are)
     */
    public PreferenceEncoder(Tokenizer tokenizer, ChatTemplate template, RewardConditions conditions) {
        this.template = template;
        this.conditions = conditions;
        this.encoder = new LossMaskEncoder(tokenizer);
    }

    /**
     * Both sequences of a pair.
     *
     * @throws IllegalArgumentException for an unknown condition, a condition on a prompt with a
     *     system message, or a template or tokenizer that cannot place the response exactly
     */
    public TokenizedPair encode(PreferencePair pair) {
        ChatTemplate used = template.withTools(pair.tools());
        return new TokenizedPair(encoder.encode(render(used, pair.prompt(), pair.condition(), pair.chosen())),
                encoder.encode(render(used, pair.prompt(), pair.condition(), pair.rejected())), pair);
    }

    /** One sequence: (condition's system turn +) prompt + response, ending at the response's end of turn. */
    public TrainingSequence encode(List<ChatMessage> prompt, String condition, String response) {
        return encode(prompt, condition, List.of(ChatMessage.assistant(response)));
    }

    /**
     * One sequence whose response is several turns (assistant messages, with tool results between
     * them): every assistant turn of the response is in the loss mask, the tool results are not.
     */
    public TrainingSequence encode(List<ChatMessage> prompt, String condition, List<ChatMessage> response) {
        return encoder.encode(render(prompt, condition, response));
    }

    /** The rendered text of {@link #encode(List, String, String)} with the response's character span. */
    public RenderedConversation render(List<ChatMessage> prompt, String condition, String response) {
        return render(prompt, condition, List.of(ChatMessage.assistant(response)));
    }

    /**
     * The rendered text of {@link #encode(List, String, List)}, cut after the response's last end of
     * turn, with the character spans of the response's assistant turns.
     */
    public RenderedConversation render(List<ChatMessage> prompt, String condition, List<ChatMessage> response) {
        return render(template, prompt, condition, response);
    }

    private RenderedConversation render(ChatTemplate template, List<ChatMessage> prompt, String condition,
            List<ChatMessage> response) {
        List<ChatMessage> conversation = new ArrayList<>(conditions.apply(prompt, condition));
        int promptTurns = (int) conversation.stream().filter(m -> m.role().equals("assistant")).count();
        conversation.addAll(response);
        RenderedConversation full = template.renderForTraining(conversation);
        List<RenderedConversation.CharSpan> spans = full.lossSpans();
        if (spans.isEmpty()) {
            throw new IllegalArgumentException("the chat template rendered no assistant turn for the response");
        }
        int responseTurns = (int) response.stream().filter(m -> m.role().equals("assistant")).count();
        // The template gives one span per assistant turn, in order; earlier assistant turns of a
        // multi-turn prompt are context. A single-turn response is the last span, whatever the
        // template did with the prompt's turns.
        if (responseTurns > 1 && spans.size() != promptTurns + responseTurns) {
            throw new IllegalArgumentException("the chat template rendered " + spans.size() + " assistant turn(s) for "
                    + (promptTurns + responseTurns) + " assistant messages, so the response's " + responseTurns
                    + " turns cannot be located; use a template that renders every assistant message");
        }
        List<RenderedConversation.CharSpan> kept = spans.subList(spans.size() - responseTurns, spans.size());
        int end = kept.get(kept.size() - 1).end();
        return new RenderedConversation(full.text().substring(0, end), kept);
    }
}
