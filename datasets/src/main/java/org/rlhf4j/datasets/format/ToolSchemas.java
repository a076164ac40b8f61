package org.rlhf4j.datasets.format;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A record's {@code tools} column: the function schemas a conversation may call, for the chat
 * template's {@code tools} variable (Qwen's and Llama 3.1's templates list them in the system turn).
 * ShareGPT data sets (LLaMA-Factory) store the list as a JSON string, TRL's as a list; both are read.
 *
 * <p>A bare schema {@code {"name", "description", "parameters"}} (LLaMA-Factory's form) is wrapped as
 * {@code {"type": "function", "function": schema}}, the form transformers passes to templates, so a
 * template sees one shape whatever the data set wrote.
 */
public final class ToolSchemas {

    private static final String SHAPE = "expected a list of function schemas [{\"type\": \"function\", \"function\":"
            + " {\"name\": ..., \"parameters\": {...}}}] (or {\"name\", \"description\", \"parameters\"} objects),"
            + " or that list as a JSON string";

    private ToolSchemas() {}

    /** The record's tools as plain values for the template, or null when it has none (absent, null, "" or []). */
    public static List<Object> read(JsonNode record) throws InvalidRecord {
        JsonNode value = record.get("tools");
        if (value == null || value.isNull() || (value.isTextual() && value.asText().isBlank())) {
            return null;
        }
        if (value.isTextual()) {
            try {
                value = JsonFields.JSON.readTree(value.asText());
            } catch (JsonProcessingException e) {
                throw new InvalidRecord("\"tools\" is a string that is not JSON (" + e.getOriginalMessage() + "); "
                        + SHAPE);
            }
        }
        if (!value.isArray()) {
            throw new InvalidRecord("\"tools\" is " + JsonFields.article(value) + "; " + SHAPE);
        }
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < value.size(); i++) {
            JsonNode tool = value.get(i);
            boolean wrapped = tool.isObject() && tool.path("function").isObject();
            boolean bare = tool.isObject() && tool.path("name").isTextual();
            if (!wrapped && !bare) {
                throw new InvalidRecord("tools[" + i + "] is " + (tool.isObject() ? "an object with neither a"
                        + " \"function\" object nor a \"name\"" : JsonFields.article(tool)) + "; " + SHAPE);
            }
            Object schema = JsonFields.plain(tool);
            if (!wrapped) {
                Map<String, Object> function = new LinkedHashMap<>(); // type first, as transformers writes it
                function.put("type", "function");
                function.put("function", schema);
                schema = function;
            }
            out.add(schema);
        }
        return out.isEmpty() ? null : out;
    }
}
