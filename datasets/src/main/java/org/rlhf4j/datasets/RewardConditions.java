package org.rlhf4j.datasets;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The conditions of a conditional reward model (InternLM2's COOL RLHF): a table from condition
 * name to the system prompt that tells the model which preference to judge, and the rule that
 * turns a record's {@code condition} into a system turn.
 *
 * <p>The rule, applied to a record's {@code condition} string:
 * <ul>
 *   <li>absent: the prompt is rendered as it is;</li>
 *   <li>a <b>name</b> (no whitespace, e.g. {@code helpful}, {@code safety-v2}): looked up in the
 *       table, and its text becomes the system turn; a name the table does not have is an error
 *       that lists the known names;</li>
 *   <li>anything containing whitespace (e.g. {@code "Judge the response for politeness."}): used
 *       verbatim as the system turn, so one-off conditions need no table entry.</li>
 * </ul>
 * The system turn goes first. A prompt that already has a system message and a condition is an
 * error (two system prompts would make the judged preference ambiguous).
 *
 * <p>The table travels with the model: trainers save it as {@value #FILE_NAME} into the exported
 * reward model directory, and {@code rlhf4j score} and PPO read it from there to resolve names.
 */
public final class RewardConditions {

    /** The file in a reward model directory that holds the table, a JSON object name -> text. */
    public static final String FILE_NAME = "rlhf4j_conditions.json";

    private static final Pattern WHITESPACE = Pattern.compile("\\s");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final RewardConditions IGNORED = new RewardConditions(Map.of(), false);

    private final Map<String, String> table;
    private final boolean applied;

    private RewardConditions(Map<String, String> table, boolean applied) {
        this.table = table;
        this.applied = applied;
    }

    /**
     * Conditions resolved through {@code table} (empty: only verbatim conditions are accepted).
     *
     * @throws IllegalArgumentException if a name contains whitespace or is blank, or a text is blank
     */
    public static RewardConditions of(Map<String, String> table) {
        Map<String, String> copy = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : (table == null ? Map.<String, String>of() : table).entrySet()) {
            String name = e.getKey();
            if (name == null || name.isBlank() || WHITESPACE.matcher(name).find()) {
                throw new IllegalArgumentException("conditions: the name '" + name + "' is blank or contains"
                        + " whitespace; a condition name is one word such as helpful or safety");
            }
            if (e.getValue() == null || e.getValue().isBlank()) {
                throw new IllegalArgumentException("conditions." + name + ": the system prompt text is empty");
            }
            copy.put(name, e.getValue());
        }
        return new RewardConditions(java.util.Collections.unmodifiableMap(copy), true);
    }

    /**
     * Conditions that are never rendered: every prompt stays as it is and the pairs keep their
     * {@code condition} only as a label (for a stage that does not judge preferences, e.g. DPO).
     */
    public static RewardConditions ignored() {
        return IGNORED;
    }

    /** Whether {@code condition} is a name to look up (no whitespace) rather than a verbatim system prompt. */
    public static boolean isName(String condition) {
        return !WHITESPACE.matcher(condition).find();
    }

    /** The table, name to system prompt, in definition order. */
    public Map<String, String> table() {
        return table;
    }

    /**
     * The system prompt a condition stands for: empty when {@code condition} is null or the
     * conditions are {@link #ignored()}.
     *
     * @throws IllegalArgumentException for a name not in the table, listing the known names
     */
    public Optional<String> systemPrompt(String condition) {
        if (condition == null || !applied) {
            return Optional.empty();
        }
        if (!isName(condition)) {
            return Optional.of(condition);
        }
        String text = table.get(condition);
        if (text == null) {
            throw new IllegalArgumentException("unknown condition '" + condition + "'; known conditions: "
                    + (table.isEmpty() ? "none (add a conditions: table to the config, or to the model directory's "
                            + FILE_NAME + ")" : String.join(", ", table.keySet()))
                    + " (a condition with spaces is used verbatim as the system prompt)");
        }
        return Optional.of(text);
    }

    /**
     * {@code prompt} with the condition's system turn first.
     *
     * @throws IllegalArgumentException for an unknown name, or a prompt that already has a system message
     */
    public List<ChatMessage> apply(List<ChatMessage> prompt, String condition) {
        Optional<String> system = systemPrompt(condition);
        if (system.isEmpty()) {
            return prompt;
        }
        if (prompt.stream().anyMatch(m -> m.role().equals("system"))) {
            throw new IllegalArgumentException("has a system message and the condition '" + condition
                    + "'; the condition supplies the system prompt, so leave one of them out");
        }
        List<ChatMessage> out = new ArrayList<>(prompt.size() + 1);
        out.add(ChatMessage.system(system.get()));
        out.addAll(prompt);
        return out;
    }

    /** Writes the table as {@value #FILE_NAME} into {@code dir}. */
    public void save(Path dir) throws IOException {
        Files.writeString(dir.resolve(FILE_NAME), JSON.writeValueAsString(table) + "\n");
    }

    /**
     * Reads a table from a JSON or YAML file of {@code name: text} entries; a directory means its
     * {@value #FILE_NAME}, and a directory without one gives an empty table.
     */
    public static RewardConditions read(Path path) throws IOException {
        Path file = Files.isDirectory(path) ? path.resolve(FILE_NAME) : path;
        if (Files.isDirectory(path) && !Files.isRegularFile(file)) {
            return of(Map.of());
        }
        JsonNode root;
        try {
            root = YAML.readTree(Files.readString(file)); // YAML reads JSON too
        } catch (JsonProcessingException e) {
            throw new IOException(file + ": not valid JSON or YAML: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new IOException(file + ": expected an object of condition name -> system prompt text");
        }
        Map<String, String> table = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw new IOException(file + ": condition '" + e.getKey() + "' must map to a string");
            }
            table.put(e.getKey(), e.getValue().asText());
        }
        try {
            return of(table);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }
}
