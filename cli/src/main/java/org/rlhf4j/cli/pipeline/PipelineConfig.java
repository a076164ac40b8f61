package org.rlhf4j.cli.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.rlhf4j.core.config.ConfigException;
import org.rlhf4j.core.config.ConfigLoader;
import org.rlhf4j.core.config.NearestName;

/**
 * A pipeline file: the run directory and the stages in order.
 *
 * <pre>{@code
 * out: runs/demo                 # run directory; --out wins
 * stages:
 *   - name: sft                  # optional, defaults to the kind; unique; [A-Za-z0-9_-]
 *     kind: sft                  # data | init | pretrain | sft | eval (| rm | dpo | ppo | rs)
 *     config:                    # the stage's own config keys, inline ...
 *       model: ${base.final}     # ... referring to an earlier stage's output
 *       train: {max_steps: 300}
 *     set: [train.lr=1e-3]       # --set-style overrides, applied after config
 *   - kind: eval
 *     config: configs/demo/eval.yaml   # ... or a path to the stage's config file
 * }</pre>
 *
 * @param out the run directory, or null when only {@code --out} gives it
 * @param stages the stages in the order they run
 */
public record PipelineConfig(String out, List<Stage> stages) {

    /**
     * One stage entry.
     *
     * @param name its directory under the run directory and its name in references
     * @param kind which {@link StageRunner} runs it
     * @param config an inline mapping, or null when {@code configFile} is given
     * @param configFile the stage's config file, or null
     * @param set overrides, {@code key.path=value}
     */
    public record Stage(String name, String kind, ObjectNode config, Path configFile, List<String> set) {
        public Stage {
            set = List.copyOf(set);
        }

        /** The stage's config tree with its own overrides applied (a fresh copy each call). */
        public ObjectNode tree() {
            ObjectNode tree = configFile != null ? ConfigLoader.readTree(configFile, List.of()) : config.deepCopy();
            for (String override : set) {
                ConfigLoader.applyOverride(tree, override);
            }
            return tree;
        }
    }

    private static final List<String> TOP_KEYS = List.of("out", "stages");
    private static final List<String> STAGE_KEYS = List.of("name", "kind", "config", "set");

    public PipelineConfig {
        stages = List.copyOf(stages);
    }

    /** Reads and checks a pipeline file: known keys, known kinds, unique names. */
    public static PipelineConfig load(Path file, StageRunners runners) {
        ObjectNode root = ConfigLoader.readTree(file, List.of());
        checkKeys(root, TOP_KEYS, "", file);
        JsonNode stagesNode = root.get("stages");
        if (stagesNode == null || !stagesNode.isArray() || stagesNode.isEmpty()) {
            throw new ConfigException(file + ": 'stages' must be a non-empty list of stages");
        }
        List<Stage> stages = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < stagesNode.size(); i++) {
            JsonNode s = stagesNode.get(i);
            String where = "stages[" + i + "]";
            if (!s.isObject()) {
                throw new ConfigException(file + ": " + where + " must be a mapping with kind: and config:");
            }
            checkKeys((ObjectNode) s, STAGE_KEYS, where + ".", file);
            String kind = text(s, "kind", file, where);
            if (kind == null) {
                throw new ConfigException(file + ": " + where + ".kind is required (one of " + String.join(", ", runners.kinds()) + ")");
            }
            if (runners.get(kind) == null) {
                String nearest = NearestName.of(kind, runners.kinds());
                throw new ConfigException(file + ": " + where + ".kind: unknown kind '" + kind + "'"
                        + (nearest != null ? "; did you mean '" + nearest + "'?" : "")
                        + " Known kinds: " + String.join(", ", runners.kinds()));
            }
            String name = text(s, "name", file, where);
            name = name == null ? kind : name;
            if (!name.matches("[A-Za-z0-9_-]+")) {
                throw new ConfigException(file + ": " + where + ".name '" + name + "': use letters, digits, _ and -");
            }
            if (!names.add(name)) {
                throw new ConfigException(file + ": " + where + ": a second stage named '" + name
                        + "' (give one a different name:)");
            }
            JsonNode config = s.get("config");
            ObjectNode inline = null;
            Path configFile = null;
            if (config == null || config.isNull()) {
                inline = root.objectNode();
            } else if (config.isObject()) {
                inline = (ObjectNode) config;
            } else if (config.isTextual()) {
                configFile = Path.of(config.asText());
            } else {
                throw new ConfigException(file + ": " + where + ".config must be a mapping of the stage's keys or a path");
            }
            List<String> set = new ArrayList<>();
            JsonNode setNode = s.get("set");
            if (setNode != null && !setNode.isNull()) {
                if (!setNode.isArray()) {
                    throw new ConfigException(file + ": " + where + ".set must be a list of key.path=value strings");
                }
                setNode.forEach(n -> set.add(n.asText()));
            }
            stages.add(new Stage(name, kind, inline, configFile, set));
        }
        JsonNode out = root.get("out");
        return new PipelineConfig(out == null || out.isNull() ? null : out.asText(), stages);
    }

    private static String text(JsonNode node, String key, Path file, String where) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw new ConfigException(file + ": " + where + "." + key + " must be a string");
        }
        return v.asText();
    }

    private static void checkKeys(ObjectNode node, List<String> known, String prefix, Path file) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            String key = it.next().getKey();
            if (!known.contains(key)) {
                String nearest = NearestName.of(key, known);
                throw new ConfigException(file + ": unknown key '" + prefix + key + "'"
                        + (nearest != null ? "; did you mean '" + prefix + nearest + "'?" : "")
                        + " Known keys: " + String.join(", ", known));
            }
        }
    }
}
