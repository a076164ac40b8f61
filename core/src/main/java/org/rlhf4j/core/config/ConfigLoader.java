package org.rlhf4j.core.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CoderResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.lang.reflect.RecordComponent;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Reads a YAML stage config, applies {@code --set a.b=value} overrides to the parsed tree, and
 * binds it to a config record.
 *
 * <p>Overrides edit the tree before binding, so type checks and unknown-key checks apply to them
 * exactly as to the file. An unknown key is an error naming its full path and the nearest known
 * key; a value of the wrong type names the key and the expected type. Record components are
 * bound by their snake_case names ({@code maxSteps} is {@code max_steps} in YAML).
 */
public final class ConfigLoader {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
                    .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                    .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES))
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            // a key given twice is an error with its line, not "the last one wins"
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);

    private ConfigLoader() {}

    /** Loads {@code file}, applies the overrides in order and binds the result to {@code type}. */
    public static <T> T load(Path file, List<String> overrides, Class<T> type) {
        return bind(readTree(file, overrides), type, file.toString());
    }

    /** Reads a YAML file into a tree and applies {@code key.path=value} overrides. */
    public static ObjectNode readTree(Path file, List<String> overrides) {
        JsonNode root;
        try {
            root = YAML.readTree(Files.readString(file));
        } catch (CharacterCodingException e) {
            throw new ConfigException(notUtf8(file));
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": no such config file");
        } catch (JsonProcessingException e) {
            throw new ConfigException(file + ":" + e.getLocation().getLineNr() + ": not valid YAML: "
                    + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage());
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            root = JsonNodeFactory.instance.objectNode();
        }
        if (!root.isObject()) {
            throw new ConfigException(file + ": expected a mapping of keys at the top level");
        }
        ObjectNode tree = (ObjectNode) root;
        for (String override : overrides) {
            applyOverride(tree, override);
        }
        return tree;
    }

    /**
     * Where {@code file} stops being UTF-8 (a config saved as Latin-1 or Windows-1252, say): its
     * line, byte offset and the offending byte.
     */
    private static String notUtf8(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            return file + ": not UTF-8 text; save it as UTF-8";
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CoderResult result = StandardCharsets.UTF_8.newDecoder().decode(in, CharBuffer.allocate(bytes.length), true);
        int offset = result.isError() ? in.position() : bytes.length;
        int line = 1;
        for (int i = 0; i < offset; i++) {
            if (bytes[i] == '\n') {
                line++;
            }
        }
        return String.format(Locale.ROOT, "%s:%d: not UTF-8 text: byte 0x%02X at byte offset %d is not valid UTF-8"
                + " (was the file saved as Latin-1 or Windows-1252?); save it as UTF-8", file, line,
                offset < bytes.length ? bytes[offset] & 0xff : 0, offset);
    }

    /** Applies one {@code a.b.c=value} override; the value is parsed as a YAML scalar or flow value. */
    public static void applyOverride(ObjectNode tree, String override) {
        int eq = override.indexOf('=');
        if (eq <= 0) {
            throw new ConfigException("--set '" + override + "': expected key.path=value");
        }
        String[] path = override.substring(0, eq).trim().split("\\.");
        String text = override.substring(eq + 1);
        JsonNode value;
        try {
            value = text.isEmpty() ? JsonNodeFactory.instance.textNode("") : YAML.readTree(text);
        } catch (JsonProcessingException e) {
            throw new ConfigException("--set '" + override + "': value is not valid YAML: " + e.getOriginalMessage());
        }
        ObjectNode node = tree;
        for (int i = 0; i < path.length - 1; i++) {
            JsonNode child = node.get(path[i]);
            if (child == null || child.isNull()) {
                child = node.putObject(path[i]);
            } else if (!child.isObject()) {
                throw new ConfigException("--set '" + override + "': '" + String.join(".", List.of(path).subList(0, i + 1))
                        + "' is a value, not a section");
            }
            node = (ObjectNode) child;
        }
        node.set(path[path.length - 1], value == null ? JsonNodeFactory.instance.nullNode() : value);
    }

    /** Binds a tree to a record; {@code source} names the file in error messages. */
    public static <T> T bind(JsonNode tree, Class<T> type, String source) {
        checkKeys(tree, type, "", source);
        try {
            return YAML.treeToValue(tree, type);
        } catch (UnrecognizedPropertyException e) {
            String key = pathOf(e);
            Collection<Object> known = e.getKnownPropertyIds() == null ? List.of() : e.getKnownPropertyIds();
            List<String> names = known.stream().map(Object::toString).sorted().collect(Collectors.toList());
            String nearest = NearestName.of(e.getPropertyName(), names);
            throw new ConfigException(source + ": unknown key '" + key + "'"
                    + (nearest != null ? "; did you mean '" + replaceLast(key, nearest) + "'?" : "")
                    + (names.isEmpty() ? "" : " Known keys here: " + String.join(", ", names)));
        } catch (InvalidFormatException e) {
            throw new ConfigException(source + ": key '" + pathOf(e) + "': value '" + e.getValue()
                    + "' is not a valid " + e.getTargetType().getSimpleName());
        } catch (ValueInstantiationException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new ConfigException(source + ": " + cause.getMessage());
        } catch (MismatchedInputException e) {
            if (e.getOriginalMessage().contains("Cannot map `null`")) {
                throw new ConfigException(source + ": key '" + pathOf(e) + "' is required ("
                        + describe(e.getTargetType()) + ")");
            }
            throw new ConfigException(source + ": key '" + pathOf(e) + "': expected "
                    + describe(e.getTargetType()) + " (" + e.getOriginalMessage() + ")");
        } catch (JsonProcessingException e) {
            Throwable cause = e instanceof InputCoercionException ? e : e.getCause();
            if (cause instanceof InputCoercionException range) {
                // a number too large for its field (a 20-digit seed); Jackson does not say which key
                boolean isInt = range.getTargetType() == int.class || range.getTargetType() == Integer.class;
                String key = outOfRange(tree, "", isInt);
                throw new ConfigException(source + ": key '" + (key != null ? key : "?") + "': value out of range;"
                        + " expected an integer from " + (isInt ? Integer.MIN_VALUE : Long.MIN_VALUE) + " to "
                        + (isInt ? Integer.MAX_VALUE : Long.MAX_VALUE));
            }
            throw new ConfigException(source + ": " + e.getOriginalMessage());
        }
    }

    /** The path of the first integer in {@code node} that does not fit an int ({@code isInt}) or a long. */
    private static String outOfRange(JsonNode node, String path, boolean isInt) {
        if (node.isIntegralNumber()) {
            return (isInt ? node.canConvertToInt() : node.canConvertToLong()) ? null : path;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            String found = outOfRange(e.getValue(), path.isEmpty() ? e.getKey() : path + "." + e.getKey(), isInt);
            if (found != null) {
                return found;
            }
        }
        for (int i = 0; node.isArray() && i < node.size(); i++) {
            String found = outOfRange(node.get(i), path + "[" + i + "]", isInt);
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    /**
     * Rejects keys that no record component takes, before binding, so that the first error a user
     * sees is the misspelt key rather than the required key it failed to set.
     */
    private static void checkKeys(JsonNode node, Class<?> type, String path, String source) {
        if (!type.isRecord() || !node.isObject()) {
            return;
        }
        Map<String, RecordComponent> components = new LinkedHashMap<>();
        for (RecordComponent c : type.getRecordComponents()) {
            JsonProperty p = c.getAccessor().getAnnotation(JsonProperty.class);
            if (p == null) {
                p = c.getAnnotation(JsonProperty.class);
            }
            String name = p != null && !p.value().isEmpty() ? p.value() : SNAKE.translate(c.getName());
            components.put(name, c);
        }
        if (type.isAnnotationPresent(com.fasterxml.jackson.annotation.JsonIgnoreProperties.class)
                && type.getAnnotation(com.fasterxml.jackson.annotation.JsonIgnoreProperties.class).ignoreUnknown()) {
            return;
        }
        var fields = node.fields();
        while (fields.hasNext()) {
            var field = fields.next();
            String key = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
            RecordComponent c = components.get(field.getKey());
            if (c == null) {
                List<String> names = components.keySet().stream().sorted().collect(Collectors.toList());
                String nearest = NearestName.of(field.getKey(), names);
                throw new ConfigException(source + ": unknown key '" + key + "'"
                        + (nearest != null ? "; did you mean '" + replaceLast(key, nearest) + "'?" : "")
                        + (names.isEmpty() ? "" : " Known keys" + (path.isEmpty() ? "" : " under '" + path + "'")
                                + ": " + String.join(", ", names)));
            }
            checkKeys(field.getValue(), c.getType(), key, source);
        }
    }

    private static final PropertyNamingStrategies.NamingBase SNAKE =
            (PropertyNamingStrategies.NamingBase) PropertyNamingStrategies.SNAKE_CASE;

    /** A config as the tree its YAML would parse to (snake_case keys, defaults filled in). */
    public static JsonNode toTree(Object config) {
        return YAML.valueToTree(config);
    }

    /** Serialises a config (the resolved config written next to every output). */
    public static String toYaml(Object config) {
        try {
            return YAML.writeValueAsString(config);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pathOf(com.fasterxml.jackson.databind.JsonMappingException e) {
        return e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
    }

    private static String replaceLast(String path, String name) {
        int dot = path.lastIndexOf('.');
        return dot < 0 ? name : path.substring(0, dot + 1) + name;
    }

    private static String describe(Class<?> type) {
        if (type == null) {
            return "another type";
        }
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
            return "an integer";
        }
        if (type == double.class || type == Double.class || type == float.class || type == Float.class) {
            return "a number";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "a string";
        }
        if (List.class.isAssignableFrom(type)) {
            return "a list";
        }
        return "a section (" + type.getSimpleName() + ")";
    }
}
