package org.rlhf4j.ppo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The conditions table a conditional reward model carries in its directory,
 * {@value #FILE_NAME}: a JSON object from condition name to the system prompt it was trained
 * with (written by the reward stage). Read here, not imported, because stages do not depend on
 * each other.
 */
final class ConditionTable {

    /** The file in a reward model directory. */
    static final String FILE_NAME = "rlhf4j_conditions.json";

    private ConditionTable() {}

    /** The table of {@code modelDir}, or null when it has none. */
    static Map<String, String> read(Path modelDir) throws IOException {
        Path file = modelDir.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        JsonNode root = new ObjectMapper().readTree(file.toFile());
        if (root == null || !root.isObject()) {
            throw new IOException(file + ": expected a JSON object of condition name -> system prompt");
        }
        Map<String, String> table = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw new IOException(file + ": condition '" + e.getKey() + "' must map to a string");
            }
            table.put(e.getKey(), e.getValue().asText());
        }
        return table;
    }
}
