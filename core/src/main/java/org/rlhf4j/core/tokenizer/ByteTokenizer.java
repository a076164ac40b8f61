package org.rlhf4j.core.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A pure-Java tokenizer whose ids 0..255 are the UTF-8 bytes of the text, followed by the ChatML
 * special tokens {@code <|endoftext|>} (256), {@code <|im_start|>} (257) and {@code <|im_end|>} (258).
 *
 * <p>Special tokens follow Qwen2's ChatML models: {@code <|im_end|>} ends a generated turn (EOS),
 * {@code <|endoftext|>} pads, and there is no BOS. Special token strings anywhere in the text encode
 * to their ids; everything else is bytes. No post-processor exists, so {@code addSpecialTokens} has
 * no effect.
 *
 * <p>{@link #save(Path)} writes a standard byte-level BPE tokenizer.json (GPT-2 byte alphabet in byte
 * order, no merges, the three specials as added tokens) that the Hugging Face tokenizers library
 * encodes to the same ids, and a tokenizer_config.json for transformers'
 * {@code PreTrainedTokenizerFast} with the chat template. Instances are immutable.
 */
public final class ByteTokenizer implements Tokenizer {

    /** Number of byte ids; byte {@code b} has id {@code b}. */
    public static final int BYTE_COUNT = 256;
    /** End of a document; the padding token. */
    public static final String ENDOFTEXT = "<|endoftext|>";
    /** Opens a ChatML turn. */
    public static final String IM_START = "<|im_start|>";
    /** Closes a ChatML turn; the generation EOS. */
    public static final String IM_END = "<|im_end|>";
    /** Id of {@link #ENDOFTEXT}. */
    public static final int ENDOFTEXT_ID = 256;
    /** Id of {@link #IM_START}. */
    public static final int IM_START_ID = 257;
    /** Id of {@link #IM_END}. */
    public static final int IM_END_ID = 258;
    /** Number of ids: 256 bytes and 3 special tokens. */
    public static final int VOCAB_SIZE = 259;
    /** The standard ChatML template in Jinja, as Qwen2 and transformers write it. */
    public static final String CHATML_TEMPLATE = "{% for message in messages %}"
            + "{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}"
            + "{% endfor %}"
            + "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    // index i holds the text of id BYTE_COUNT + i
    private static final List<String> SPECIALS = List.of(ENDOFTEXT, IM_START, IM_END);
    // transformers writes int(1e30) when a tokenizer has no length limit
    private static final BigInteger UNLIMITED_LENGTH = new BigInteger("1000000000000000019884624838656");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final String chatTemplate;
    private final OptionalInt modelMaxLength;

    /** Creates the byte tokenizer with the ChatML template and no length limit. */
    public ByteTokenizer() {
        this(CHATML_TEMPLATE, OptionalInt.empty());
    }

    private ByteTokenizer(String chatTemplate, OptionalInt modelMaxLength) {
        this.chatTemplate = Objects.requireNonNull(chatTemplate, "chatTemplate");
        this.modelMaxLength = modelMaxLength;
    }

    /** Returns a copy that carries (and saves) another chat template. */
    public ByteTokenizer withChatTemplate(String template) {
        return new ByteTokenizer(template, modelMaxLength);
    }

    /** Returns a copy that saves {@code model_max_length} as given (the model's context length). */
    public ByteTokenizer withModelMaxLength(int maxLength) {
        if (maxLength <= 0) {
            throw new IllegalArgumentException("model_max_length must be positive, got " + maxLength);
        }
        return new ByteTokenizer(chatTemplate, OptionalInt.of(maxLength));
    }

    /** Returns the {@code model_max_length} this tokenizer saves, if set. */
    public OptionalInt modelMaxLength() {
        return modelMaxLength;
    }

    @Override
    public int[] encode(String text, boolean addSpecialTokens) {
        return encodeWithOffsets(text).ids(); // the byte tokenizer's post-processor adds nothing
    }

    /** Each UTF-8 byte of a character is one token with that character's range; a special is one token. */
    @Override
    public TokenOffsets encodeWithOffsets(String text) {
        int capacity = text.length() * 3 + 16;
        int[] ids = new int[capacity];
        int[] starts = new int[capacity];
        int[] ends = new int[capacity];
        int size = 0;
        int at = 0;
        while (at < text.length()) {
            int special = text.startsWith("<|", at) ? specialAt(text, at) : -1;
            int end;
            if (special >= 0) {
                end = at + SPECIALS.get(special).length();
                ids[size] = BYTE_COUNT + special;
                starts[size] = at;
                ends[size++] = end;
            } else {
                end = at + Character.charCount(text.codePointAt(at));
                for (byte b : text.substring(at, end).getBytes(StandardCharsets.UTF_8)) {
                    ids[size] = b & 0xFF;
                    starts[size] = at;
                    ends[size++] = end;
                }
            }
            at = end;
        }
        return new TokenOffsets(Arrays.copyOf(ids, size), Arrays.copyOf(starts, size), Arrays.copyOf(ends, size));
    }

    /** Returns the index in {@link #SPECIALS} of the special token starting at {@code at}, or -1. */
    private static int specialAt(String text, int at) {
        for (int i = 0; i < SPECIALS.size(); i++) {
            if (text.startsWith(SPECIALS.get(i), at)) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public String decode(int[] ids, boolean skipSpecialTokens) {
        StringBuilder text = new StringBuilder(ids.length);
        LossyUtf8Decoder utf8 = new LossyUtf8Decoder();
        for (int id : ids) {
            if (id >= 0 && id < BYTE_COUNT) {
                utf8.accept(id, text);
                continue;
            }
            String special = specialText(id);
            // a skipped special does not end the byte run, as in Hugging Face's byte-level decoder
            if (special != null && !skipSpecialTokens) {
                utf8.finish(text);
                text.append(special);
            }
        }
        utf8.finish(text);
        return text.toString();
    }

    /** Returns the text of special id {@code id}, or null if {@code id} is not a special token. */
    static String specialText(int id) {
        return id >= BYTE_COUNT && id < VOCAB_SIZE ? SPECIALS.get(id - BYTE_COUNT) : null;
    }

    @Override
    public StreamingDecoder streamingDecoder(boolean skipSpecialTokens) {
        return new ByteStreamingDecoder(skipSpecialTokens);
    }

    @Override
    public int vocabSize() {
        return VOCAB_SIZE;
    }

    @Override
    public OptionalInt tokenId(String token) {
        int special = SPECIALS.indexOf(token);
        if (special >= 0) {
            return OptionalInt.of(BYTE_COUNT + special);
        }
        if (token.length() == 1 && ByteLevelAlphabet.byteOf(token.charAt(0)) >= 0) {
            return OptionalInt.of(ByteLevelAlphabet.byteOf(token.charAt(0)));
        }
        return OptionalInt.empty();
    }

    @Override
    public List<String> specialTokens() {
        return SPECIALS;
    }

    @Override
    public int eosId() {
        return IM_END_ID;
    }

    @Override
    public OptionalInt bosId() {
        return OptionalInt.empty();
    }

    @Override
    public OptionalInt padId() {
        return OptionalInt.of(ENDOFTEXT_ID);
    }

    @Override
    public Optional<String> chatTemplate() {
        return Optional.of(chatTemplate);
    }

    @Override
    public void save(Path dir) throws IOException {
        Files.createDirectories(dir);
        JSON.writeValue(dir.resolve(TokenizerFiles.TOKENIZER_JSON).toFile(), tokenizerJson());
        JSON.writeValue(dir.resolve(TokenizerFiles.TOKENIZER_CONFIG_JSON).toFile(), tokenizerConfig());
    }

    /** Builds tokenizer.json: byte-level BPE without merges, so every byte is its own token. */
    private static ObjectNode tokenizerJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (int i = 0; i < SPECIALS.size(); i++) {
            added.add(addedToken(SPECIALS.get(i)).put("id", BYTE_COUNT + i));
        }
        root.putNull("normalizer");
        // no regex split: without merges every byte is a token whatever the pre-tokens are
        root.putObject("pre_tokenizer")
                .put("type", "ByteLevel")
                .put("add_prefix_space", false)
                .put("trim_offsets", true)
                .put("use_regex", false);
        root.putNull("post_processor");
        root.putObject("decoder")
                .put("type", "ByteLevel")
                .put("add_prefix_space", false)
                .put("trim_offsets", true)
                .put("use_regex", false);
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.putNull("continuing_subword_prefix");
        model.putNull("end_of_word_suffix");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("ignore_merges", false);
        ObjectNode vocab = model.putObject("vocab");
        for (int b = 0; b < BYTE_COUNT; b++) {
            vocab.put(String.valueOf(ByteLevelAlphabet.charOf(b)), b);
        }
        model.putArray("merges");
        return root;
    }

    /** Builds tokenizer_config.json for transformers' PreTrainedTokenizerFast. */
    private ObjectNode tokenizerConfig() {
        ObjectNode config = JSON.createObjectNode();
        config.put("tokenizer_class", "PreTrainedTokenizerFast");
        config.putNull("bos_token");
        config.put("eos_token", IM_END);
        config.put("pad_token", ENDOFTEXT);
        if (modelMaxLength.isPresent()) {
            config.put("model_max_length", modelMaxLength.getAsInt());
        } else {
            config.put("model_max_length", UNLIMITED_LENGTH);
        }
        // transformers would otherwise rewrite " ." as "." when decoding
        config.put("clean_up_tokenization_spaces", false);
        config.put("split_special_tokens", false);
        ObjectNode decoder = config.putObject("added_tokens_decoder");
        for (int i = 0; i < SPECIALS.size(); i++) {
            decoder.set(String.valueOf(BYTE_COUNT + i), addedToken(SPECIALS.get(i)));
        }
        config.put("chat_template", chatTemplate);
        return config;
    }

    private static ObjectNode addedToken(String content) {
        ObjectNode token = JSON.createObjectNode();
        token.put("content", content);
        token.put("single_word", false);
        token.put("lstrip", false);
        token.put("rstrip", false);
        token.put("normalized", false);
        token.put("special", true);
        return token;
    }

    /**
     * Tells whether the files describe this tokenizer: tokenizer.json is the byte-level BPE that
     * {@link #save(Path)} writes (same vocabulary, no merges, same added tokens, no normalizer,
     * ByteLevel without prefix space, nothing that adds tokens) and tokenizer_config.json, if it names
     * them, names the same EOS, padding and (no) BOS.
     */
    static boolean describes(TokenizerFiles files) {
        JsonNode root = files.tokenizerJson();
        JsonNode model = root.path("model");
        if (!"BPE".equals(model.path("type").asText())
                || !isEmptyArrayOrMissing(model.path("merges"))
                || model.path("byte_fallback").asBoolean(false)
                || !isNullOrMissing(model.path("unk_token"))
                || !isNullOrMissing(model.path("continuing_subword_prefix"))
                || !isNullOrMissing(model.path("end_of_word_suffix"))
                || !isByteVocab(model.path("vocab"))
                || !isNullOrMissing(root.path("normalizer"))
                || !"ByteLevel".equals(root.path("pre_tokenizer").path("type").asText())
                || root.path("pre_tokenizer").path("add_prefix_space").asBoolean(true)
                || !"ByteLevel".equals(root.path("decoder").path("type").asText())
                || !(isNullOrMissing(root.path("post_processor"))
                        || "ByteLevel".equals(root.path("post_processor").path("type").asText()))) {
            return false;
        }
        JsonNode added = root.path("added_tokens");
        if (!added.isArray() || added.size() != SPECIALS.size()) {
            return false;
        }
        for (JsonNode token : added) {
            int id = token.path("id").asInt(-1);
            if (!token.path("content").asText().equals(specialText(id))
                    || token.path("normalized").asBoolean(false)
                    || token.path("lstrip").asBoolean(false)
                    || token.path("rstrip").asBoolean(false)
                    || token.path("single_word").asBoolean(false)) {
                return false;
            }
        }
        return files.namedToken("eos_token").map(IM_END::equals).orElse(true)
                && files.namedToken("pad_token").map(ENDOFTEXT::equals).orElse(true)
                && files.namedToken("bos_token").isEmpty();
    }

    private static boolean isByteVocab(JsonNode vocab) {
        if (!vocab.isObject() || vocab.size() != BYTE_COUNT) {
            return false;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            String token = entry.getKey();
            int id = entry.getValue().asInt(-1);
            if (token.length() != 1 || id < 0 || id >= BYTE_COUNT || ByteLevelAlphabet.charOf(id) != token.charAt(0)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isNullOrMissing(JsonNode node) {
        return node.isMissingNode() || node.isNull();
    }

    private static boolean isEmptyArrayOrMissing(JsonNode node) {
        return node.isMissingNode() || (node.isArray() && node.isEmpty());
    }

    /** Creates the byte tokenizer described by {@code files}, keeping their chat template and length limit. */
    static ByteTokenizer from(TokenizerFiles files) throws IOException {
        ByteTokenizer tokenizer = new ByteTokenizer(files.chatTemplate().orElse(CHATML_TEMPLATE), OptionalInt.empty());
        JsonNode maxLength = files.tokenizerConfig().path("model_max_length");
        // transformers' "no limit" (1e30) does not fit an int and stays unset
        if (maxLength.canConvertToInt() && maxLength.asInt() > 0) {
            tokenizer = tokenizer.withModelMaxLength(maxLength.asInt());
        }
        return tokenizer;
    }

    @Override
    public String toString() {
        return "ByteTokenizer(vocab=" + VOCAB_SIZE + ", eos=" + IM_END + ", pad=" + ENDOFTEXT + ")";
    }
}
