package org.rlhf4j.datasets.format;

import com.fasterxml.jackson.databind.JsonNode;

/** Plain text for pretraining: {@code {"text": "..."}} records (a {@code .txt} file is read by the SFT loader). */
public final class TextFormat {

    private TextFormat() {}

    /** The non-empty {@code text} of {@code record}. */
    public static String text(JsonNode record) throws InvalidRecord {
        String text = JsonFields.string(record, "text", "");
        if (text.isEmpty()) {
            throw new InvalidRecord("\"text\" is empty; expected {\"text\": \"...\"} with some text");
        }
        return text;
    }
}
