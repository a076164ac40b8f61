package org.rlhf4j.datasets.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code data.columns}: the record keys a data set uses for the keys the formats read, e.g.
 * {@code {messages: conv, chosen: good}} reads {@code conv} as {@code messages}. Applied to every
 * record before its format is detected or read.
 *
 * @param columns format key to the key in the data
 */
public record ColumnMapping(Map<String, String> columns) {

    /** The keys a mapping may name: every key some format reads. */
    public static final Set<String> KEYS = Set.of("messages", "conversations", "prompt", "completion", "response",
            "system", "chosen", "rejected", "instruction", "input", "output", "history", "text", "score_chosen",
            "score_rejected", "margin", "preference", "condition", "tags", "answer", "tools");

    public ColumnMapping {
        columns = Map.copyOf(columns);
        for (String key : columns.keySet()) {
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException("unknown key '" + key + "'; expected one of " + new TreeSet<>(KEYS));
            }
        }
    }

    /** Renames the mapped keys of {@code record} in place; returns it. */
    public ObjectNode apply(ObjectNode record) {
        for (Map.Entry<String, String> e : columns.entrySet()) {
            JsonNode value = record.remove(e.getValue());
            if (value != null) {
                record.set(e.getKey(), value);
            }
        }
        return record;
    }
}
