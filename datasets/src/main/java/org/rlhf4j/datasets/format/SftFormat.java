package org.rlhf4j.datasets.format;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.rlhf4j.datasets.ChatMessage;

/** Reads one record of a supervised fine-tuning format as a conversation with at least one assistant turn. */
public interface SftFormat {

    /** The conversation of {@code record}; the message of the exception says what is wrong and expected. */
    List<ChatMessage> conversation(ObjectNode record) throws InvalidRecord;

    /** Throws unless {@code conversation} has an assistant turn to train on. */
    static List<ChatMessage> requireAssistant(List<ChatMessage> conversation) throws InvalidRecord {
        if (conversation.stream().noneMatch(m -> m.role().equals("assistant"))) {
            throw new InvalidRecord("the conversation has no assistant message; expected at least one message with"
                    + " \"role\": \"assistant\" to train on");
        }
        return conversation;
    }
}
