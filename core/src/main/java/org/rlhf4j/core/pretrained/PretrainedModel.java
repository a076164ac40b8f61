package org.rlhf4j.core.pretrained;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.rlhf4j.core.config.UserException;
import org.rlhf4j.core.io.Checkpoint;
import org.rlhf4j.core.io.GenerationConfig;
import org.rlhf4j.core.io.IoConsumer;
import org.rlhf4j.core.io.ModelDirectory;
import org.rlhf4j.core.io.SaveDtype;
import org.rlhf4j.core.lora.LoraAdapters;
import org.rlhf4j.core.lora.PeftAdapterFiles;
import org.rlhf4j.core.model.LlamaConfig;
import org.rlhf4j.core.model.LlamaModel;
import org.rlhf4j.core.model.ModelWeights;
import org.rlhf4j.core.model.NonFiniteTensors;
import org.rlhf4j.core.tokenizer.Tokenizer;
import org.rlhf4j.core.tokenizer.Tokenizers;

/**
 * A Hugging Face model directory in memory: the model, its tokenizer and its generation
 * defaults, with the weights owned by a manager of their own that {@link #close} releases.
 */
public final class PretrainedModel implements AutoCloseable {

    private ModelWeights base;
    private LlamaModel model;
    private LoraAdapters adapters;
    private String baseModel; // with adapters: base_model_name_or_path of the saved adapter
    private Tokenizer tokenizer;
    private final GenerationConfig generation;
    private final NDManager manager;
    private final boolean ownsTokenizer;

    public PretrainedModel(LlamaModel model, Tokenizer tokenizer, GenerationConfig generation, NDManager manager) {
        this(model, tokenizer, generation, manager, true);
    }

    private PretrainedModel(LlamaModel model, Tokenizer tokenizer, GenerationConfig generation, NDManager manager,
            boolean ownsTokenizer) {
        this.model = model;
        this.base = model.weights();
        this.tokenizer = tokenizer;
        this.generation = generation;
        this.manager = manager;
        this.ownsTokenizer = ownsTokenizer;
    }

    /**
     * A model over arrays that {@code owner} owns (e.g. a LoRA critic on the policy's frozen base),
     * with {@code owner}'s tokenizer: {@link #close} releases only {@code manager} (what this model
     * adds, such as its head and adapters), never the shared arrays nor the tokenizer.
     */
    public static PretrainedModel sharing(LlamaModel model, PretrainedModel owner, NDManager manager) {
        return new PretrainedModel(model, owner.tokenizer, owner.generation, manager, false);
    }

    /**
     * Loads {@code dir} (written by this toolkit or by transformers) onto {@code device}, with
     * floating weights converted to {@code dtype}. A PEFT LoRA adapter directory
     * ({@code adapter_config.json} and no {@code config.json}) loads its base model from
     * {@code base_model_name_or_path} with the adapter attached.
     */
    public static PretrainedModel load(Path dir, Device device, DataType dtype) throws IOException {
        if (PeftAdapterFiles.isAdapterDirectory(dir) && !Files.isRegularFile(dir.resolve(ModelDirectory.CONFIG_FILE))) {
            return loadWithAdapter(dir, device, dtype);
        }
        NDManager manager = NDManager.newBaseManager(device);
        try {
            Checkpoint checkpoint = ModelDirectory.load(dir, manager, dtype);
            Optional<String> nonFinite = NonFiniteTensors.first(checkpoint.weights());
            if (nonFinite.isPresent()) {
                throw new IOException(dir + ": tensor '" + nonFinite.get() + "' has NaN or infinite values;"
                        + " the model diverged when it was trained or the file is corrupt");
            }
            ModelWeights weights;
            try {
                weights = ModelWeights.of(checkpoint.config(), checkpoint.weights());
            } catch (IllegalArgumentException e) {
                // the tensors do not fit config.json: the directory is at fault, so name it
                throw new UserException(dir + ": " + e.getMessage(), e);
            }
            Tokenizer tokenizer = Tokenizers.load(dir);
            checkVocabulary(dir, checkpoint.config(), tokenizer);
            return new PretrainedModel(new LlamaModel(weights), tokenizer, checkpoint.generation(), manager);
        } catch (IOException | RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    private static PretrainedModel loadWithAdapter(Path dir, Device device, DataType dtype) throws IOException {
        Path base = basePath(dir);
        PretrainedModel model = load(base, device, dtype);
        try {
            model.mergeAdapters(); // a base that is itself an adapter: folded in, the new adapter goes on top
            if (PeftAdapterFiles.SEQ_CLS.equals(PeftAdapterFiles.readConfig(dir).taskType())
                    && !model.config().architecture().hasScalarHead()) {
                // a reward model trained with LoRA on a causal LM: the adapter carries the score head
                model = ScalarHead.swap(model, new float[model.config().hiddenSize()]);
            }
            model.attachAdapters(PeftAdapterFiles.load(dir, model.baseWeights(), model.manager()), base.toString());
            if (Files.isRegularFile(dir.resolve("tokenizer.json"))
                    || Files.isRegularFile(dir.resolve("tokenizer_config.json"))) {
                Tokenizer own = Tokenizers.load(dir); // the adapter's copy wins, as PEFT users pass it
                model.tokenizer.close();
                model.tokenizer = own;
            }
            return model;
        } catch (IOException | RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /** The base model directory an adapter points to with {@code base_model_name_or_path}. */
    public static Path basePath(Path adapterDir) throws IOException {
        String pointer = PeftAdapterFiles.readConfig(adapterDir).baseModel();
        if (pointer == null || pointer.isBlank()) {
            throw new IOException(adapterDir.resolve(PeftAdapterFiles.CONFIG_FILE)
                    + ": base_model_name_or_path is missing; rlhf4j needs the base model's directory");
        }
        for (Path candidate : new Path[] {Path.of(pointer), adapterDir.resolve(pointer)}) {
            if (Files.isRegularFile(candidate.resolve(ModelDirectory.CONFIG_FILE))) {
                return candidate;
            }
        }
        throw new IOException(adapterDir.resolve(PeftAdapterFiles.CONFIG_FILE) + ": base_model_name_or_path '"
                + pointer + "' is not a model directory here (rlhf4j does not download hub models; set it to"
                + " the local directory of the base)");
    }

    /**
     * Puts LoRA {@code adapters} on this model (it takes ownership of them): from now on
     * {@link #model} computes with them and {@link #save} writes them in PEFT's format, pointing
     * to {@code baseModel} as the base.
     */
    public void attachAdapters(LoraAdapters adapters, String baseModel) {
        if (this.adapters != null) {
            throw new IllegalStateException("this model already has LoRA adapters");
        }
        this.adapters = adapters;
        this.baseModel = baseModel;
        this.model = new LlamaModel(base, adapters);
    }

    /**
     * Holds the frozen base in {@code dtype} from now on (float16 under float32 compute, {@code
     * lora.base_dtype}): every tensor but the norm gains is converted and the float32 arrays are
     * released; each projection then computes in float16 and returns float32. Call it before
     * {@link #attachAdapters}, after the adapters were made from the float32 base (their saved
     * modules are float32 copies).
     */
    public void holdBaseIn(DataType dtype) {
        if (adapters != null) {
            throw new IllegalStateException("hold the base in another dtype before attaching adapters");
        }
        base = base.holdingBaseIn(dtype, manager);
        model = new LlamaModel(base);
    }

    /**
     * Folds the adapters into the base weights in place ({@code W + (alpha/r) B A}, saved modules
     * copied over) and drops them: from now on this is a plain model, e.g. a stage's starting model
     * given as an adapter directory. Does nothing without adapters.
     */
    public void mergeAdapters() {
        if (adapters == null) {
            return;
        }
        try (NDManager scope = manager.newSubManager()) {
            for (java.util.Map.Entry<String, NDArray> e : adapters.merge(base, scope).entrySet()) {
                NDArray own = base.get(e.getKey());
                if (e.getValue() != own) {
                    own.set(e.getValue().toType(own.getDataType(), false).toByteBuffer());
                }
            }
        }
        adapters.close();
        adapters = null;
        baseModel = null;
        model = new LlamaModel(base);
    }

    /** The LoRA adapters, or null. */
    public LoraAdapters adapters() {
        return adapters;
    }

    /** The base weights as loaded, never trained when adapters are attached. */
    public ModelWeights baseWeights() {
        return base;
    }

    /** The base model directory a saved adapter points to (null without adapters). */
    public String baseModel() {
        return baseModel;
    }

    /** Loads onto the CPU in float32. */
    public static PretrainedModel load(Path dir) throws IOException {
        return load(dir, Device.cpu(), DataType.FLOAT32);
    }

    private static void checkVocabulary(Path dir, LlamaConfig config, Tokenizer tokenizer) {
        // Embedding tables are often padded past the tokenizer (Qwen2), never the other way round.
        if (tokenizer.vocabSize() > config.vocabSize()) {
            throw new UserException(dir + ": tokenizer has " + tokenizer.vocabSize()
                    + " ids but config.json vocab_size is " + config.vocabSize());
        }
    }

    /**
     * Writes this model as a complete Hugging Face directory (weights, configs, tokenizer); with
     * adapters, as a PEFT adapter directory (float32 adapter, tokenizer, pointer to the base)
     * instead: {@link #saveMerged} writes the full model.
     */
    public void save(Path dir, SaveDtype dtype) throws IOException {
        save(dir, dtype, IoConsumer.none());
    }

    /** {@link #save(Path, SaveDtype)} with further files that {@code extraFiles} writes into the staging directory. */
    public void save(Path dir, SaveDtype dtype, IoConsumer<Path> extraFiles) throws IOException {
        IoConsumer<Path> files = staged -> {
            tokenizer.save(staged);
            extraFiles.accept(staged);
        };
        if (adapters != null) {
            PeftAdapterFiles.save(dir, adapters, baseModel, model.hasScoreHead(), files);
            return;
        }
        ModelDirectory.save(dir, model.config(), model.weights().asMap(), dtype, generation, files);
    }

    /** Writes a plain Hugging Face directory with the adapters folded into the weights ({@code W + (alpha/r) B A}). */
    public void saveMerged(Path dir, SaveDtype dtype) throws IOException {
        if (adapters == null) {
            save(dir, dtype);
            return;
        }
        try (NDManager scope = manager.newSubManager()) {
            ModelDirectory.save(dir, model.config(), adapters.merge(base, scope), dtype, generation, tokenizer::save);
        }
    }

    public LlamaModel model() {
        return model;
    }

    public LlamaConfig config() {
        return model.config();
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public GenerationConfig generation() {
        return generation;
    }

    /** The manager that owns the weights; per-call work should use a sub-manager of it. */
    public NDManager manager() {
        return manager;
    }

    /** Token ids that end a response: the tokenizer's EOS plus the generation config's. */
    public int[] stopTokenIds() {
        java.util.LinkedHashSet<Integer> ids = new java.util.LinkedHashSet<>();
        try {
            ids.add(tokenizer.eosId());
        } catch (IllegalStateException noEos) {
            // A tokenizer without EOS relies on generation_config.json or max_new_tokens.
        }
        if (generation != null && generation.eosTokenId() != null) {
            ids.addAll(generation.eosTokenId());
        }
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Total number of parameters (the base's; adapters come on top). */
    public long parameterCount() {
        return base.parameterCount();
    }

    /** A view of the weights, for code that needs the raw arrays. */
    public java.util.Map<String, NDArray> weights() {
        return model.weights().asMap();
    }

    @Override
    public void close() {
        if (ownsTokenizer) {
            tokenizer.close();
        }
        if (adapters != null) {
            adapters.close();
        }
        manager.close();
    }
}
