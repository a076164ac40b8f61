package org.rlhf4j.datasets.format;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.rlhf4j.datasets.ChatMessage;
import org.rlhf4j.datasets.PreferencePair;

/**
 * Anthropic HH-RLHF transcripts: {@code {"chosen": "\n\nHuman: ...\n\nAssistant: ...", "rejected":
 * "..."}}. Each transcript is cut into turns at {@code \n\nHuman:} and {@code \n\nAssistant:} (the
 * text of a turn trimmed); the turns both share are the prompt and the last assistant turn of each
 * is its response, as TRL's {@code hh-rlhf-helpful-base} script extracts them.
 */
public final class HhRlhfFormat implements PreferenceFormat {

    private static final Pattern TURN = Pattern.compile("(?:^|\n\n)(Human|Assistant):");
    private static final String SHAPE = "expected {\"chosen\": \"\\n\\nHuman: ...\\n\\nAssistant: ...\", \"rejected\":"
            + " \"\\n\\nHuman: ...\\n\\nAssistant: ...\"}";

    @Override
    public PreferencePair pair(ObjectNode record, String source) throws InvalidRecord {
        List<ChatMessage> chosen = turns(TrlPreferenceFormat.requiredString(record, "chosen", SHAPE), "chosen");
        List<ChatMessage> rejected = turns(TrlPreferenceFormat.requiredString(record, "rejected", SHAPE), "rejected");
        return TrlPreferenceFormat.implicitPrompt(chosen, rejected, record, source);
    }

    /** Whether {@code text} reads as an HH-RLHF transcript (for format detection). */
    static boolean isTranscript(String text) {
        return text.stripLeading().startsWith("Human:");
    }

    /** The turns of one transcript, in order. */
    static List<ChatMessage> turns(String transcript, String key) throws InvalidRecord {
        String text = transcript.stripLeading();
        if (!text.startsWith("Human:")) {
            throw new InvalidRecord("\"" + key + "\" does not start with \"\\n\\nHuman:\"; " + SHAPE);
        }
        Matcher m = TURN.matcher(text);
        List<ChatMessage> out = new ArrayList<>();
        String role = null;
        int textStart = 0;
        while (m.find()) {
            if (role != null) {
                out.add(new ChatMessage(role, text.substring(textStart, m.start()).strip()));
            }
            role = m.group(1).equals("Human") ? "user" : "assistant";
            textStart = m.end();
        }
        out.add(new ChatMessage(role, text.substring(textStart).strip()));
        try {
            MessageReader.requireTurnOrder(out, key);
        } catch (InvalidRecord e) {
            throw new InvalidRecord("\"" + key + "\" has turns out of order (" + e.getMessage().split(":", 2)[0]
                    + "); expected Human and Assistant turns taking turns, starting with Human");
        }
        return out;
    }
}
