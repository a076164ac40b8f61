package org.rlhf4j.core.tokenizer;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import org.rlhf4j.core.config.UserException;

/**
 * The tokenizer files of a Hugging Face model directory, parsed once: {@code tokenizer.json} and, when
 * present, {@code tokenizer_config.json} and {@code special_tokens_map.json}.
 *
 * @param dir the directory they were read from
 * @param tokenizerJsonText the text of tokenizer.json, as handed to the native library
 * @param tokenizerJson tokenizer.json parsed
 * @param tokenizerConfig tokenizer_config.json parsed, or a missing node
 * @param specialTokensMap special_tokens_map.json parsed, or a missing node
 */
record TokenizerFiles(
        Path dir,
        String tokenizerJsonText,
        JsonNode tokenizerJson,
        JsonNode tokenizerConfig,
        JsonNode specialTokensMap) {

    static final String TOKENIZER_JSON = "tokenizer.json";
    static final String TOKENIZER_CONFIG_JSON = "tokenizer_config.json";
    static final String SPECIAL_TOKENS_MAP_JSON = "special_tokens_map.json";
    static final String CHAT_TEMPLATE_JINJA = "chat_template.jinja";
    static final String CHAT_TEMPLATE_JSON = "chat_template.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Reads the tokenizer files of {@code dir}.
     *
     * @throws NoSuchFileException naming the directory and what it should contain, if it has no
     *     tokenizer.json
     */
    static TokenizerFiles read(Path dir) throws IOException {
        Path tokenizerJsonPath = dir.resolve(TOKENIZER_JSON);
        if (!Files.isRegularFile(tokenizerJsonPath)) {
            throw missingTokenizerJson(dir);
        }
        String text = readText(tokenizerJsonPath);
        return new TokenizerFiles(
                dir, text, parse(tokenizerJsonPath, text), readOptional(dir.resolve(TOKENIZER_CONFIG_JSON)),
                readOptional(dir.resolve(SPECIAL_TOKENS_MAP_JSON)));
    }

    /** The text of {@code file}, which must be UTF-8 as every Hugging Face JSON file is. */
    private static String readText(Path file) throws IOException {
        try {
            return Files.readString(file);
        } catch (CharacterCodingException e) {
            throw new UserException(file + ": not UTF-8 text; a Hugging Face tokenizer file is UTF-8 JSON (the file"
                    + " is corrupt or not a tokenizer file: copy it again from the model's source)", e);
        }
    }

    /** {@code text} parsed as JSON; an error names {@code file}, the line and column, and what is wrong. */
    private static JsonNode parse(Path file, String text) {
        try {
            JsonNode node = JSON.readTree(text);
            if (node == null || !node.isObject()) {
                throw new UserException(file + ": expected a JSON object, got " + (node == null ? "nothing"
                        : node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT)) + " (the file is corrupt"
                        + " or not a tokenizer file: copy it again from the model's source)");
            }
            return node;
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw new UserException(file + (at == null ? "" : ":" + at.getLineNr() + ":" + at.getColumnNr())
                    + ": not valid JSON (" + e.getOriginalMessage() + "); the file is corrupt or truncated: copy it"
                    + " again from the model's source", e);
        }
    }

    private static NoSuchFileException missingTokenizerJson(Path dir) {
        String reason;
        if (!Files.isDirectory(dir)) {
            reason = "not a directory; expected a model directory containing tokenizer.json";
        } else if (Files.isRegularFile(dir.resolve("tokenizer.model"))) {
            reason = "no tokenizer.json in " + dir + ", only a SentencePiece tokenizer.model; convert it with"
                    + " transformers: AutoTokenizer.from_pretrained(dir).save_pretrained(dir)";
        } else {
            reason = "no tokenizer.json in " + dir + "; expected a Hugging Face fast tokenizer file as"
                    + " written by transformers' save_pretrained or by 'rlhf4j init'";
        }
        return new NoSuchFileException(dir.resolve(TOKENIZER_JSON).toString(), null, reason);
    }

    private static JsonNode readOptional(Path file) throws IOException {
        return Files.isRegularFile(file) ? parse(file, readText(file)) : MissingNode.getInstance();
    }

    /**
     * Returns the text of a named special token such as {@code eos_token}, from tokenizer_config.json
     * or else special_tokens_map.json; the value may be a string or an AddedToken object with
     * {@code content}.
     */
    Optional<String> namedToken(String key) {
        for (JsonNode source : new JsonNode[] {tokenizerConfig, specialTokensMap}) {
            JsonNode value = source.path(key);
            if (value.isTextual()) {
                return Optional.of(value.asText());
            }
            if (value.isObject() && value.path("content").isTextual()) {
                return Optional.of(value.path("content").asText());
            }
        }
        return Optional.empty();
    }

    /** Names the file {@link #chatTemplate()} reads, for errors: {@code DIR/tokenizer_config.json} and so on. */
    String chatTemplateSource() {
        JsonNode inConfig = tokenizerConfig.path("chat_template");
        if (inConfig.isTextual() || inConfig.isArray()) {
            return dir.resolve(TOKENIZER_CONFIG_JSON) + " (chat_template)";
        }
        Path jinja = dir.resolve(CHAT_TEMPLATE_JINJA);
        return Files.isRegularFile(jinja) ? jinja.toString() : dir.resolve(CHAT_TEMPLATE_JSON).toString();
    }

    /**
     * Returns the default chat template: {@code chat_template} of tokenizer_config.json (a string,
     * or from a list of named templates the one named {@code default}, else the first), else
     * chat_template.jinja, else chat_template.json.
     */
    Optional<String> chatTemplate() throws IOException {
        JsonNode inConfig = tokenizerConfig.path("chat_template");
        if (inConfig.isTextual()) {
            return Optional.of(inConfig.asText());
        }
        if (inConfig.isArray() && inConfig.size() > 0) {
            for (JsonNode named : inConfig) {
                if ("default".equals(named.path("name").asText()) && named.path("template").isTextual()) {
                    return Optional.of(named.path("template").asText());
                }
            }
            JsonNode first = inConfig.get(0).path("template");
            if (first.isTextual()) {
                return Optional.of(first.asText());
            }
        }
        Path jinja = dir.resolve(CHAT_TEMPLATE_JINJA);
        if (Files.isRegularFile(jinja)) {
            return Optional.of(Files.readString(jinja));
        }
        JsonNode inJson = readOptional(dir.resolve(CHAT_TEMPLATE_JSON)).path("chat_template");
        return inJson.isTextual() ? Optional.of(inJson.asText()) : Optional.empty();
    }
}
