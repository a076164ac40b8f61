package org.rlhf4j.datasets.format;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;

/**
 * Typed reads of a record's fields with the messages every format shares: {@code "key" is a number;
 * expected a string}.
 */
public final class JsonFields {

    /** Strict JSON: trailing tokens and duplicate keys are errors, not "the last one wins". */
    static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private JsonFields() {}

    /** Parses one JSONL line as a JSON object. */
    public static ObjectNode object(String line) throws InvalidRecord {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new InvalidRecord("not valid JSON (" + e.getOriginalMessage() + " at column "
                    + e.getLocation().getColumnNr() + "); expected one JSON object per line");
        }
        if (node == null || !node.isObject()) {
            throw new InvalidRecord("is " + article(node) + "; expected one JSON object per line");
        }
        return (ObjectNode) node;
    }

    /**
     * Reads {@code owner}'s string {@code key}; {@code owner} is "" for the record itself or a path
     * such as {@code messages[2]}.
     */
    public static String string(JsonNode parent, String key, String owner) throws InvalidRecord {
        JsonNode value = parent.get(key);
        String name = owner.isEmpty() ? "\"" + key + "\"" : owner + "." + key;
        if (value == null) {
            throw new InvalidRecord((owner.isEmpty() ? "" : owner + " ") + "has no \"" + key + "\"; expected a string");
        }
        if (!value.isTextual()) {
            throw new InvalidRecord(name + " is " + article(value) + "; expected a string");
        }
        return value.asText();
    }

    /** The string {@code key} of the record, or null when it is absent or null. */
    static String optionalString(JsonNode record, String key) throws InvalidRecord {
        JsonNode value = record.get(key);
        return value == null || value.isNull() ? null : string(record, key, "");
    }

    /** A JSON value as plain Java values (maps, lists, strings, numbers), as a chat template sees it. */
    static Object plain(JsonNode value) {
        return JSON.convertValue(value, Object.class);
    }

    /** "a number", "an array", "null": how a JSON value is named in messages. */
    public static String article(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return "null";
        }
        String type = node.getNodeType().name().toLowerCase(Locale.ROOT);
        return (type.startsWith("a") || type.startsWith("o") ? "an " : "a ") + type;
    }
}
