package org.rlhf4j.cli.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.rlhf4j.core.config.ConfigException;

/**
 * Resolves {@code ${stage.output}} references in a stage's config to paths of earlier stages'
 * outputs, e.g. {@code model: ${sft.final}} or {@code train: ${data.sft_train}}. A reference may
 * be the whole value or part of a string; every string in the tree, at any depth, is resolved.
 * A reference to an unknown or later stage, or to an output the stage does not have, is an error
 * naming what is known.
 */
final class References {

    private static final Pattern REFERENCE = Pattern.compile("\\$\\{([A-Za-z0-9_-]+)\\.([A-Za-z0-9_]+)}");

    private References() {}

    /**
     * Replaces every reference in {@code tree} (in place) with the path it names and returns the
     * stages referred to.
     *
     * @param outputs each earlier stage's outputs by name
     * @param source where the config came from, for error messages
     */
    static Set<String> resolve(ObjectNode tree, Map<String, Map<String, Path>> outputs, String source) {
        Set<String> used = new LinkedHashSet<>();
        resolveNode(tree, outputs, source, used);
        return used;
    }

    private static void resolveNode(JsonNode node, Map<String, Map<String, Path>> outputs, String source, Set<String> used) {
        if (node instanceof ObjectNode object) {
            var fields = object.fields();
            while (fields.hasNext()) {
                var field = fields.next();
                if (field.getValue().isTextual()) {
                    field.setValue(TextNode.valueOf(substitute(field.getValue().asText(), outputs, source, used)));
                } else {
                    resolveNode(field.getValue(), outputs, source, used);
                }
            }
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                if (array.get(i).isTextual()) {
                    array.set(i, TextNode.valueOf(substitute(array.get(i).asText(), outputs, source, used)));
                } else {
                    resolveNode(array.get(i), outputs, source, used);
                }
            }
        }
    }

    static String substitute(String text, Map<String, Map<String, Path>> outputs, String source, Set<String> used) {
        if (!text.contains("${")) {
            return text;
        }
        Matcher m = REFERENCE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String stage = m.group(1);
            String output = m.group(2);
            Map<String, Path> known = outputs.get(stage);
            if (known == null) {
                throw new ConfigException(source + ": '" + m.group() + "' refers to no earlier stage named '" + stage
                        + "' (earlier stages: " + (outputs.isEmpty() ? "none" : String.join(", ", outputs.keySet())) + ")");
            }
            Path path = known.get(output);
            if (path == null) {
                throw new ConfigException(source + ": '" + m.group() + "': stage '" + stage + "' has no output '"
                        + output + "' (it has: " + String.join(", ", known.keySet()) + ")");
            }
            used.add(stage);
            m.appendReplacement(out, Matcher.quoteReplacement(path.toString()));
        }
        m.appendTail(out);
        if (out.indexOf("${") >= 0) {
            throw new ConfigException(source + ": '" + text + "': a reference is written ${stage.output},"
                    + " e.g. ${sft.final}");
        }
        return out.toString();
    }
}
