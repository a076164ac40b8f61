package org.rlhf4j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The parameters of a Llama-family model: Hugging Face tensor name to array, in
 * {@link WeightLayout} order, validated against a {@link LlamaConfig}.
 *
 * <p>This class does not own the arrays: they live in whatever manager the caller created them
 * in (for {@link #random} the manager passed in), and a trainer moves them into a per-step
 * manager with {@code step.tempAttachAll(weights.asList())}. All tensors share one floating
 * dtype, which is the compute dtype of {@link LlamaModel}.
 */
public final class ModelWeights {

    /** Standard deviation of random linear and embedding weights, transformers' {@code initializer_range}. */
    public static final double INITIALIZER_RANGE = 0.02;

    private final LlamaConfig config;
    private final Map<String, NDArray> tensors;

    private ModelWeights(LlamaConfig config, Map<String, NDArray> tensors) {
        this.config = config;
        this.tensors = Collections.unmodifiableMap(tensors);
    }

    /**
     * Wraps existing arrays after checking that they are exactly the tensors {@code config}
     * needs, with the expected shapes and one floating dtype.
     *
     * @throws IllegalArgumentException naming the first missing, unexpected or mis-shaped tensor
     */
    public static ModelWeights of(LlamaConfig config, Map<String, NDArray> tensors) {
        Map<String, long[]> expected = WeightLayout.expectedShapes(config);
        List<String> missing = new ArrayList<>();
        for (String name : expected.keySet()) {
            if (!tensors.containsKey(name)) {
                missing.add(name);
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("weights: missing " + missing.size() + " tensor(s) the config needs: "
                    + String.join(", ", missing.subList(0, Math.min(missing.size(), 5)))
                    + (missing.size() > 5 ? ", ..." : ""));
        }
        List<String> unexpected = new ArrayList<>();
        for (String name : tensors.keySet()) {
            if (!expected.containsKey(name)) {
                unexpected.add(name);
            }
        }
        if (!unexpected.isEmpty()) {
            throw new IllegalArgumentException("weights: unexpected tensor(s) for a "
                    + config.architecture().hfName() + (config.tieWordEmbeddings() ? " with tied embeddings" : "")
                    + ": " + String.join(", ", unexpected.subList(0, Math.min(unexpected.size(), 5)))
                    + (unexpected.size() > 5 ? ", ..." : ""));
        }
        Map<String, NDArray> ordered = new LinkedHashMap<>();
        DataType dtype = tensors.get(WeightLayout.FINAL_NORM).getDataType(); // the compute dtype
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            NDArray array = tensors.get(e.getKey());
            long[] actual = array.getShape().getShape();
            if (!Arrays.equals(actual, e.getValue())) {
                throw new IllegalArgumentException("weights: tensor '" + e.getKey() + "' has shape "
                        + Arrays.toString(actual) + ", expected " + Arrays.toString(e.getValue()));
            }
            DataType type = array.getDataType();
            if (!type.isFloating()) {
                throw new IllegalArgumentException("weights: tensor '" + e.getKey() + "' has non-floating dtype " + type);
            }
            boolean frozenHalf = dtype == DataType.FLOAT32 && type == DataType.FLOAT16 && !isNorm(e.getKey());
            if (type != dtype && !frozenHalf) {
                throw new IllegalArgumentException("weights: tensor '" + e.getKey() + "' is " + type
                        + " but the norms are " + dtype + "; convert all weights to one compute dtype");
            }
            ordered.put(e.getKey(), array);
        }
        return new ModelWeights(config, ordered);
    }

    /**
     * New float32 weights drawn the way transformers initialises a Llama: linear, embedding and
     * score weights normal(0, 0.02), norm gains one, biases zero, the padding row of the embedding
     * zero. Values are generated in Java from {@code seed} and the tensor's name (Box-Muller over
     * {@link SplittableRandom}, with {@link StrictMath}), so a seed gives the same bits on every
     * machine and engine, and a tensor's values do not depend on which other tensors exist (a
     * reward model and a causal LM of the same shape and seed share their trunk).
     */
    public static ModelWeights random(LlamaConfig config, NDManager manager, long seed) {
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : WeightLayout.expectedShapes(config).entrySet()) {
            String name = e.getKey();
            Shape shape = new Shape(e.getValue());
            float[] values = new float[Math.toIntExact(shape.size())];
            if (name.endsWith("norm.weight")) {
                Arrays.fill(values, 1f);
            } else if (!name.endsWith(".bias")) {
                fillNormal(values, INITIALIZER_RANGE, new SplittableRandom(seed ^ mix(name.hashCode())));
                if (name.equals(WeightLayout.EMBED) && config.padTokenId() != null
                        && config.padTokenId() >= 0 && config.padTokenId() < config.vocabSize()) {
                    int d = config.hiddenSize();
                    Arrays.fill(values, config.padTokenId() * d, (config.padTokenId() + 1) * d, 0f);
                }
            }
            NDArray array = manager.create(values, shape);
            array.setName(name);
            tensors.put(name, array);
        }
        return new ModelWeights(config, tensors);
    }

    private static void fillNormal(float[] out, double std, SplittableRandom random) {
        for (int i = 0; i < out.length; i += 2) {
            // Box-Muller: two independent normals from two uniforms; 1 - u keeps log away from 0.
            double radius = StrictMath.sqrt(-2.0 * StrictMath.log(1.0 - random.nextDouble()));
            double angle = 2.0 * StrictMath.PI * random.nextDouble();
            out[i] = (float) (std * radius * StrictMath.cos(angle));
            if (i + 1 < out.length) {
                out[i + 1] = (float) (std * radius * StrictMath.sin(angle));
            }
        }
    }

    // SplitMix64's finaliser, so that names with close hash codes get unrelated streams.
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** The config these weights were validated against. */
    public LlamaConfig config() {
        return config;
    }

    /** The tensor called {@code name}; the error names the missing tensor. */
    public NDArray get(String name) {
        NDArray array = tensors.get(name);
        if (array == null) {
            throw new IllegalArgumentException("weights: no tensor '" + name + "' in this "
                    + config.architecture().hfName() + " (" + tensors.size() + " tensors)");
        }
        return array;
    }

    /** Whether a tensor of that name exists (e.g. a bias, or {@code lm_head.weight} when untied). */
    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    /** All tensors, unmodifiable, in {@link WeightLayout} order. */
    public Map<String, NDArray> asMap() {
        return tensors;
    }

    /** All tensors as one list, e.g. for {@code stepManager.tempAttachAll(weights.asList())}. */
    public NDList asList() {
        return new NDList(tensors.values());
    }

    /**
     * The model's compute dtype, the norms' (and every tensor's, unless a frozen base is held in half
     * precision: then the projections and embeddings are float16 and compute in it, see {@link #holdingBaseIn}).
     */
    public DataType dataType() {
        return tensors.get(WeightLayout.FINAL_NORM).getDataType();
    }

    /** Whether {@code name} is an RMSNorm gain, which always stays in the compute dtype. */
    static boolean isNorm(String name) {
        return name.endsWith("norm.weight");
    }

    /**
     * These weights with every tensor but the norm gains converted to {@code dtype} (new arrays in
     * {@code manager}; the old ones are closed): a frozen LoRA base in half precision whose
     * projections compute in {@code dtype} and return the compute dtype ({@code lora.base_dtype}).
     * Returns this when nothing changes.
     */
    public ModelWeights holdingBaseIn(DataType dtype, NDManager manager) {
        if (dtype == dataType()) {
            return this;
        }
        if (dataType() != DataType.FLOAT32 || dtype != DataType.FLOAT16) {
            throw new IllegalArgumentException("a frozen base can be held in float16 under float32 compute only, not "
                    + dtype + " under " + dataType());
        }
        Map<String, NDArray> converted = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            NDArray array = e.getValue();
            if (isNorm(e.getKey()) || array.getDataType() == dtype) {
                converted.put(e.getKey(), array);
                continue;
            }
            NDArray narrow = array.toType(dtype, true);
            narrow.attach(manager);
            narrow.setName(e.getKey());
            array.close();
            converted.put(e.getKey(), narrow);
        }
        return new ModelWeights(config, converted);
    }

    /** Bytes the tensors hold (a tied head counts once). */
    public long byteSize() {
        long bytes = 0;
        for (NDArray array : tensors.values()) {
            bytes += array.getShape().size() * array.getDataType().getNumOfBytes();
        }
        return bytes;
    }

    /** Turns gradient recording on or off for every tensor. */
    public void setRequiresGradient(boolean requiresGradient) {
        for (NDArray array : tensors.values()) {
            array.setRequiresGradient(requiresGradient);
        }
    }

    /** Number of scalar parameters (a tied head counts once). */
    public long parameterCount() {
        long count = 0;
        for (NDArray array : tensors.values()) {
            count += array.getShape().size();
        }
        return count;
    }
}
