package org.rlhf4j.core.tokenizer;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import org.rlhf4j.core.config.UserException;

/**
 * A Hugging Face fast tokenizer ({@code tokenizer.json}) run by the native tokenizers library through
 * DJL, with its special tokens read from tokenizer_config.json.
 *
 * <p>The native tokenizer is built with truncation and padding off: DJL otherwise truncates every
 * input to 512 tokens without a word. DJL offers no token-to-id lookup, so the vocabulary
 * ({@code model.vocab}) and the added tokens are read from tokenizer.json with Jackson. EOS, BOS and
 * padding come from {@code eos_token}/{@code bos_token}/{@code pad_token} of tokenizer_config.json
 * (or special_tokens_map.json), each a string or an object with {@code content}.
 *
 * <p>As for every {@link Tokenizer}, {@link #encode(String)} does not run the post-processor, so a
 * Llama 3 tokenizer adds no {@code <|begin_of_text|>}: its chat template writes the BOS as text.
 * {@link #encode(String, boolean)} with {@code true} runs it. The instance holds native memory:
 * close it.
 */
public final class HfTokenizer implements Tokenizer {

    // files copied by save() when the source directory has them, besides the two always written
    private static final List<String> COMPANION_FILES = List.of(
            TokenizerFiles.SPECIAL_TOKENS_MAP_JSON, TokenizerFiles.CHAT_TEMPLATE_JINJA,
            TokenizerFiles.CHAT_TEMPLATE_JSON, "tokenizer.model");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final HuggingFaceTokenizer nativeTokenizer;
    private final Path sourceDir;
    private final boolean hasTokenizerConfig;
    private final Map<String, Integer> idOfToken;
    private final List<String> specialTokens;
    private final int vocabSize;
    private final OptionalInt eosId;
    private final OptionalInt bosId;
    private final OptionalInt padId;
    private final Optional<String> eosToken;
    private final Optional<String> bosToken;
    private final Optional<String> padToken;
    private final Optional<String> chatTemplate;
    private final String chatTemplateSource;

    private HfTokenizer(TokenizerFiles files) throws IOException {
        this.sourceDir = files.dir();
        this.hasTokenizerConfig = !files.tokenizerConfig().isMissingNode();
        JsonNode root = files.tokenizerJson();
        Map<String, Integer> ids = readModelVocab(root.path("model"), files.dir());
        TreeMap<Integer, String> specialsById = new TreeMap<>();
        for (JsonNode token : root.path("added_tokens")) {
            int id = token.path("id").asInt();
            String content = token.path("content").asText();
            ids.put(content, id);
            if (token.path("special").asBoolean(false)) {
                specialsById.put(id, content);
            }
        }
        this.idOfToken = Collections.unmodifiableMap(ids);
        this.specialTokens = List.copyOf(specialsById.values());
        this.vocabSize = ids.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
        this.eosToken = files.namedToken("eos_token");
        this.bosToken = files.namedToken("bos_token");
        this.padToken = files.namedToken("pad_token");
        this.eosId = idOf(eosToken, "eos_token");
        this.bosId = idOf(bosToken, "bos_token");
        this.padId = idOf(padToken, "pad_token");
        this.chatTemplate = files.chatTemplate();
        this.chatTemplateSource = files.chatTemplateSource();
        try {
            this.nativeTokenizer = HuggingFaceTokenizer.newInstance(
                    new ByteArrayInputStream(files.tokenizerJsonText().getBytes(StandardCharsets.UTF_8)),
                    Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false"));
        } catch (RuntimeException e) { // the Rust library's own words, e.g. a missing field of "model"
            throw new UserException(files.dir().resolve(TokenizerFiles.TOKENIZER_JSON) + ": the Hugging Face tokenizers"
                    + " library cannot load it (" + e.getMessage() + "); the file is corrupt or from a newer"
                    + " tokenizers version", e);
        }
    }

    /**
     * Loads the tokenizer of a Hugging Face model directory.
     *
     * @throws java.nio.file.NoSuchFileException if the directory has no tokenizer.json
     */
    public static HfTokenizer load(Path dir) throws IOException {
        return from(TokenizerFiles.read(dir));
    }

    static HfTokenizer from(TokenizerFiles files) throws IOException {
        return new HfTokenizer(files);
    }

    /**
     * Reads {@code model.vocab}: an object from token to id (BPE, WordPiece, WordLevel) or a list of
     * [piece, score] pairs whose index is the id (Unigram).
     */
    private static Map<String, Integer> readModelVocab(JsonNode model, Path dir) {
        JsonNode vocab = model.path("vocab");
        Map<String, Integer> ids = new HashMap<>(Math.max(16, vocab.size() * 2));
        if (vocab.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> entry = it.next();
                ids.put(entry.getKey(), entry.getValue().asInt());
            }
        } else if (vocab.isArray()) {
            for (int id = 0; id < vocab.size(); id++) {
                ids.put(vocab.get(id).path(0).asText(), id);
            }
        } else {
            throw new UserException(dir.resolve(TokenizerFiles.TOKENIZER_JSON)
                    + ": model.vocab is missing; expected an object of token ids or a list of [piece, score]");
        }
        return ids;
    }

    private OptionalInt idOf(Optional<String> token, String key) {
        if (token.isEmpty()) {
            return OptionalInt.empty();
        }
        Integer id = idOfToken.get(token.get());
        if (id == null) {
            throw new UserException(sourceDir.resolve(TokenizerFiles.TOKENIZER_CONFIG_JSON) + ": " + key
                    + " '" + token.get() + "' is not in the vocabulary or added tokens of tokenizer.json");
        }
        return OptionalInt.of(id);
    }

    @Override
    public int[] encode(String text, boolean addSpecialTokens) {
        long[] ids = nativeTokenizer.encode(text, addSpecialTokens, false).getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = Math.toIntExact(ids[i]);
        }
        return out;
    }

    @Override
    public TokenOffsets encodeWithOffsets(String text) {
        Encoding encoding = nativeTokenizer.encode(text, false, false);
        long[] wide = encoding.getIds();
        CharSpan[] spans = encoding.getCharTokenSpans();
        // the native library counts code points; Java strings count UTF-16 units
        int[] utf16 = text.codePoints().map(Character::charCount).toArray();
        int[] unitOf = new int[utf16.length + 1];
        for (int cp = 0; cp < utf16.length; cp++) {
            unitOf[cp + 1] = unitOf[cp] + utf16[cp];
        }
        int[] ids = new int[wide.length];
        int[] starts = new int[wide.length];
        int[] ends = new int[wide.length];
        for (int i = 0; i < wide.length; i++) {
            ids[i] = Math.toIntExact(wide[i]);
            // a token without a range of its own (none seen so far) gets an empty range where the previous ended
            int previousEnd = i == 0 ? 0 : ends[i - 1];
            starts[i] = spans[i] == null ? previousEnd : unitOf[spans[i].getStart()];
            ends[i] = spans[i] == null ? previousEnd : unitOf[spans[i].getEnd()];
        }
        return new TokenOffsets(ids, starts, ends);
    }

    @Override
    public String decode(int[] ids, boolean skipSpecialTokens) {
        long[] wide = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            wide[i] = ids[i];
        }
        return nativeTokenizer.decode(wide, skipSpecialTokens);
    }

    @Override
    public int vocabSize() {
        return vocabSize;
    }

    @Override
    public OptionalInt tokenId(String token) {
        Integer id = idOfToken.get(token);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    @Override
    public List<String> specialTokens() {
        return specialTokens;
    }

    @Override
    public int eosId() {
        return eosId.orElseThrow(() -> new IllegalStateException(
                "the tokenizer in " + sourceDir + " names no eos_token (looked in tokenizer_config.json and"
                        + " special_tokens_map.json)"));
    }

    @Override
    public OptionalInt bosId() {
        return bosId;
    }

    @Override
    public OptionalInt padId() {
        return padId;
    }

    @Override
    public Optional<String> chatTemplate() {
        return chatTemplate;
    }

    @Override
    public String chatTemplateSource() {
        return chatTemplateSource;
    }

    /**
     * Copies the files this tokenizer was loaded from (tokenizer.json, tokenizer_config.json with its
     * chat template, and special_tokens_map.json, chat_template.jinja/.json and tokenizer.model where
     * present) into {@code dir}; without a source tokenizer_config.json it writes a minimal one naming
     * the special tokens.
     */
    @Override
    public void save(Path dir) throws IOException {
        Files.createDirectories(dir);
        // Files.copy onto the same file is a no-op, so saving into the source directory is safe
        copy(TokenizerFiles.TOKENIZER_JSON, dir);
        if (hasTokenizerConfig) {
            copy(TokenizerFiles.TOKENIZER_CONFIG_JSON, dir);
        } else {
            JSON.writeValue(dir.resolve(TokenizerFiles.TOKENIZER_CONFIG_JSON).toFile(), minimalConfig());
        }
        for (String name : COMPANION_FILES) {
            if (Files.isRegularFile(sourceDir.resolve(name))) {
                copy(name, dir);
            }
        }
    }

    private void copy(String name, Path dir) throws IOException {
        Files.copy(sourceDir.resolve(name), dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    }

    private ObjectNode minimalConfig() {
        ObjectNode config = JSON.createObjectNode();
        config.put("tokenizer_class", "PreTrainedTokenizerFast");
        config.put("clean_up_tokenization_spaces", false);
        bosToken.ifPresent(token -> config.put("bos_token", token));
        eosToken.ifPresent(token -> config.put("eos_token", token));
        padToken.ifPresent(token -> config.put("pad_token", token));
        chatTemplate.ifPresent(template -> config.put("chat_template", template));
        return config;
    }

    /** Releases the native tokenizer; the instance is unusable afterwards. */
    @Override
    public void close() {
        nativeTokenizer.close();
    }

    @Override
    public String toString() {
        return "HfTokenizer(" + sourceDir + ", vocab=" + vocabSize + ")";
    }
}
