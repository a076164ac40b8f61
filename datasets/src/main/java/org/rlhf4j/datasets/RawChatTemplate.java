package org.rlhf4j.datasets;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code data.chat_template: none}: the messages' contents written one after another with nothing
 * around them, for base models and completion data. Prompt {@code "2+3="} and answer {@code "5"} give
 * {@code "2+3=5"}; the generation prompt adds nothing; each assistant content is a loss span.
 */
final class RawChatTemplate implements ChatTemplate {

    @Override
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        StringBuilder text = new StringBuilder();
        messages.forEach(m -> text.append(m.content()));
        return text.toString();
    }

    @Override
    public RenderedConversation renderForTraining(List<ChatMessage> messages) {
        StringBuilder text = new StringBuilder();
        List<RenderedConversation.CharSpan> spans = new ArrayList<>();
        for (ChatMessage m : messages) {
            int start = text.length();
            text.append(m.content());
            if (m.role().equals("assistant") && text.length() > start) {
                spans.add(new RenderedConversation.CharSpan(start, text.length()));
            }
        }
        return new RenderedConversation(text.toString(), spans);
    }

    @Override
    public String name() {
        return "none";
    }
}
