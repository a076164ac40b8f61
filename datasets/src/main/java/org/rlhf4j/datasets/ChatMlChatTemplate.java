package org.rlhf4j.datasets;

import java.util.ArrayList;
import java.util.List;

/**
 * The built-in ChatML renderer as a {@link ChatTemplate}: an assistant turn's loss span is its
 * content and the closing {@code <|im_end|>}, not the {@code <|im_start|>assistant\n} header and
 * not the newline after {@code <|im_end|>}.
 */
final class ChatMlChatTemplate implements ChatTemplate {

    @Override
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        return ChatMlTemplate.render(messages, addGenerationPrompt);
    }

    @Override
    public RenderedConversation renderForTraining(List<ChatMessage> messages) {
        StringBuilder text = new StringBuilder();
        List<RenderedConversation.CharSpan> spans = new ArrayList<>();
        for (ChatMessage m : messages) {
            text.append(ChatMlTemplate.IM_START).append(m.role()).append('\n');
            int contentStart = text.length();
            text.append(m.content()).append(ChatMlTemplate.IM_END);
            if (m.role().equals("assistant")) {
                spans.add(new RenderedConversation.CharSpan(contentStart, text.length()));
            }
            text.append('\n');
        }
        return new RenderedConversation(text.toString(), spans);
    }

    @Override
    public String name() {
        return "chatml";
    }
}
