package org.rlhf4j.core.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.rlhf4j.core.config.ConfigException;
import org.rlhf4j.core.config.UserException;
import org.rlhf4j.core.model.LlamaConfig;
import org.rlhf4j.core.model.ModelWeights;
import org.rlhf4j.core.model.WeightLayout;

/**
 * The LoRA adapters of one model: an {@link LoraAdapter} per targeted projection of every layer,
 * plus trainable copies of the {@code modules_to_save}, all owned by a manager of their own. The
 * base weights are never written: the model computes with {@link #applyTo} of them.
 *
 * <p>Parameters are keyed by the names PEFT saves them under ({@link #PREFIX} + module path +
 * {@code .lora_A.weight}), so that the optimizer state, the checkpoint and the exported adapter
 * all speak PEFT's names. The adapters can be switched off for a while ({@link #disabled}): the
 * model then computes exactly the base (DPO's reference without a second copy).
 */
public final class LoraAdapters implements AutoCloseable {

    /** What PEFT puts before a base module's path in {@code adapter_model.safetensors}. */
    public static final String PREFIX = "base_model.model.";

    private final LoraConfig config;
    private final NDManager manager;
    private final Map<String, LoraAdapter> adapters = new LinkedHashMap<>(); // by module path
    private final Map<String, NDArray> saved = new LinkedHashMap<>(); // by HF tensor name
    private boolean enabled = true;
    private long dropoutSeed;
    private long step;
    private final Map<String, Integer> dropoutCalls = new HashMap<>(); // per module, this step's forwards

    private LoraAdapters(LoraConfig config, NDManager manager) {
        this.config = config;
        this.manager = manager;
    }

    /**
     * New adapters for {@code base} as PEFT initialises them: {@code A} Kaiming-uniform with
     * {@code a = sqrt(5)} (nn.Linear's default, i.e. U(-1/sqrt(in), 1/sqrt(in))), {@code B} zero, so
     * that the adapted model starts equal to the base. Values come from {@code seed} and each
     * tensor's name in Java, the same on every machine; the saved modules start as copies of the base's.
     */
    public static LoraAdapters create(LoraConfig config, ModelWeights base, NDManager parent, long seed) {
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        try (NDManager work = parent.newSubManager()) {
            for (Map.Entry<String, long[]> e : expectedShapes(config, base.config()).entrySet()) {
                String name = e.getKey();
                long[] shape = e.getValue();
                float[] values = new float[Math.toIntExact(shape[0] * shape[1])];
                if (name.endsWith(".lora_A.weight")) {
                    double bound = 1.0 / Math.sqrt(shape[1]);
                    SplittableRandom random = new SplittableRandom(seed ^ mix(name.hashCode()));
                    for (int i = 0; i < values.length; i++) {
                        values[i] = (float) (bound * (2 * random.nextDouble() - 1));
                    }
                }
                tensors.put(name, work.create(values, new Shape(shape)));
            }
            return of(config, base, tensors, parent);
        }
    }

    /**
     * Adapters with the given values (copied into a manager of their own under {@code parent}): every
     * {@code lora_A}/{@code lora_B} of {@link #expectedShapes} and, for each {@code modules_to_save},
     * its tensor under PEFT's name or, when absent, a copy of the base's.
     *
     * @throws UserException naming the first missing, unexpected or mis-shaped tensor
     */
    public static LoraAdapters of(LoraConfig config, ModelWeights base, Map<String, NDArray> tensors,
            NDManager parent) {
        Map<String, long[]> expected = expectedShapes(config, base.config());
        List<String> savedNames = savedTensorNames(config, base.config()).stream().map(t -> PREFIX + t).toList();
        for (String name : tensors.keySet()) {
            if (!expected.containsKey(name) && !savedNames.contains(name)) {
                throw new UserException("adapter: unexpected tensor '" + name + "' for lora.target_modules "
                        + config.targetModules() + " and modules_to_save " + config.modulesToSave());
            }
        }
        LoraAdapters out = new LoraAdapters(config, parent.newSubManager());
        try {
            for (Map.Entry<String, long[]> e : expected.entrySet()) {
                String name = e.getKey();
                NDArray source = tensors.get(name);
                if (source == null) {
                    throw new UserException("adapter: missing tensor '" + name + "' (shape "
                            + new Shape(e.getValue()) + ")");
                }
                if (!source.getShape().equals(new Shape(e.getValue()))) {
                    throw new UserException("adapter: tensor '" + name + "' has shape " + source.getShape()
                            + ", expected " + new Shape(e.getValue()) + " (lora.r " + config.r() + ")");
                }
            }
            for (int layer = 0; layer < base.config().numHiddenLayers(); layer++) {
                for (String target : config.targetModules()) {
                    String module = modulePath(layer, target);
                    out.adapters.put(module, new LoraAdapter(module,
                            out.keep(tensors.get(PREFIX + module + ".lora_A.weight"), DataType.FLOAT32),
                            out.keep(tensors.get(PREFIX + module + ".lora_B.weight"), DataType.FLOAT32), out));
                }
            }
            for (String tensor : savedTensorNames(config, base.config())) {
                NDArray own = base.get(tensor);
                NDArray source = tensors.getOrDefault(PREFIX + tensor, own);
                if (!source.getShape().equals(own.getShape())) {
                    throw new UserException("adapter: tensor '" + PREFIX + tensor + "' has shape "
                            + source.getShape() + ", the base's " + tensor + " has " + own.getShape());
                }
                out.saved.put(tensor, out.keep(source, own.getDataType()));
            }
            return out;
        } catch (RuntimeException e) {
            out.close();
            throw e;
        }
    }

    /** A copy of {@code source} in this manager, converted to {@code dtype}. */
    private NDArray keep(NDArray source, DataType dtype) {
        // toType(same dtype, copy) may alias the source's storage (torch's to() returns self); a clone never does
        NDArray copy = source.getDataType() == dtype ? source.duplicate() : source.toType(dtype, false);
        copy.attach(manager);
        return copy;
    }

    /**
     * The {@code lora_A}/{@code lora_B} tensors of {@code config} on a model of {@code model}'s shape,
     * by PEFT name, with their shapes: {@code A} (r, in) and {@code B} (out, r), layer by layer in
     * the order of {@link LoraConfig#KNOWN_TARGETS}.
     */
    public static Map<String, long[]> expectedShapes(LoraConfig config, LlamaConfig model) {
        Map<String, long[]> base = WeightLayout.expectedShapes(model);
        Map<String, long[]> out = new LinkedHashMap<>();
        for (int layer = 0; layer < model.numHiddenLayers(); layer++) {
            for (String target : LoraConfig.KNOWN_TARGETS) {
                if (!config.targetModules().contains(target)) {
                    continue;
                }
                String module = modulePath(layer, target);
                long[] w = base.get(module + ".weight"); // (out, in)
                out.put(PREFIX + module + ".lora_A.weight", new long[] {config.r(), w[1]});
                out.put(PREFIX + module + ".lora_B.weight", new long[] {w[0], config.r()});
            }
        }
        return out;
    }

    /** The base tensors {@code modules_to_save} names on {@code model}, by their HF names. */
    public static List<String> savedTensorNames(LoraConfig config, LlamaConfig model) {
        Map<String, long[]> base = WeightLayout.expectedShapes(model);
        List<String> out = new ArrayList<>();
        for (String module : config.modulesToSave()) {
            String tensor = switch (module) {
                case "score" -> WeightLayout.SCORE;
                case "lm_head" -> WeightLayout.LM_HEAD;
                default -> WeightLayout.EMBED;
            };
            if (!base.containsKey(tensor)) {
                throw new ConfigException("lora.modules_to_save: this " + model.architecture().hfName()
                        + " has no " + module + (module.equals("lm_head") && model.tieWordEmbeddings()
                        ? " of its own (it is tied to embed_tokens; name embed_tokens instead)" : ""));
            }
            out.add(tensor);
        }
        return out;
    }

    /** The module path of {@code target} in decoder layer {@code layer}, e.g. {@code model.layers.0.mlp.up_proj}. */
    public static String modulePath(int layer, String target) {
        String block = target.equals("gate_proj") || target.equals("up_proj") || target.equals("down_proj")
                ? "mlp." : "self_attn.";
        return WeightLayout.layer(layer) + block + target;
    }

    public LoraConfig config() {
        return config;
    }

    /** The adapter of {@code target} in layer {@code layer}, or null when that projection has none. */
    public LoraAdapter adapter(int layer, String target) {
        return adapters.get(modulePath(layer, target));
    }

    /** {@code lora}'s adapter of {@code target} in layer {@code layer}; null when {@code lora} is null or has none. */
    public static LoraAdapter find(LoraAdapters lora, int layer, String target) {
        return lora == null ? null : lora.adapter(layer, target);
    }

    /** Every adapter, layer by layer. */
    public List<LoraAdapter> adapters() {
        return List.copyOf(adapters.values());
    }

    /**
     * The trainable tensors by PEFT name: each adapter's {@code lora_A} and {@code lora_B}, then
     * the saved modules. What the optimizer updates and what {@code adapter_model.safetensors} holds.
     */
    public Map<String, NDArray> parameters() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (LoraAdapter adapter : adapters.values()) {
            out.put(PREFIX + adapter.module() + ".lora_A.weight", adapter.a());
            out.put(PREFIX + adapter.module() + ".lora_B.weight", adapter.b());
        }
        saved.forEach((tensor, array) -> out.put(PREFIX + tensor, array));
        return Collections.unmodifiableMap(out);
    }

    /** The weights the adapted model computes with: {@code base}'s, with the saved modules' trainable copies. */
    public ModelWeights applyTo(ModelWeights base) {
        if (saved.isEmpty()) {
            return base;
        }
        Map<String, NDArray> tensors = new LinkedHashMap<>(base.asMap());
        tensors.putAll(saved);
        return ModelWeights.of(base.config(), tensors);
    }

    /** Whether any base module is trained in full and saved ({@code modules_to_save}). */
    public boolean savesModules() {
        return !saved.isEmpty();
    }

    /** Turns gradient recording of every trainable tensor on or off. */
    public void setRequiresGradient(boolean requiresGradient) {
        for (NDArray array : parameters().values()) {
            array.setRequiresGradient(requiresGradient);
        }
    }

    /** Number of trainable scalars. */
    public long parameterCount() {
        long count = 0;
        for (NDArray array : parameters().values()) {
            count += array.getShape().size();
        }
        return count;
    }

    boolean enabled() {
        return enabled;
    }

    /** A switch that turns the adapters off until it is closed (they add nothing; the base computes alone). */
    public Switch disabled() {
        boolean before = enabled;
        enabled = false;
        return () -> enabled = before;
    }

    /** Restores the adapters' on/off state when closed. */
    @FunctionalInterface
    public interface Switch extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Seeds the dropout of optimizer step {@code step}: the n-th forward of a module within the step
     * draws its mask from a seed derived from {@code seed}, the step, the module and n, so a run
     * resumed at a step draws the masks the uninterrupted run drew, and a recomputed layer
     * ({@link #replayingDropout}) draws the mask its forward drew.
     */
    public void startStep(long seed, long step) {
        this.dropoutSeed = seed;
        this.step = step;
        this.dropoutCalls.clear();
    }

    /** How a forward pass without the autograd tape treats dropout (activation checkpointing). */
    private static final ThreadLocal<DropoutMode> MODE = ThreadLocal.withInitial(() -> DropoutMode.BY_GRAD_MODE);

    private enum DropoutMode {
        /** Dropout while gradients are recorded (training), never when scoring or generating. */
        BY_GRAD_MODE,
        /** A training forward run without the tape, to be recomputed: dropout on, fresh masks. */
        UNTAPED_TRAINING,
        /** The recompute of such a forward: dropout on, each module's mask of its last forward. */
        REPLAY
    }

    /**
     * Runs {@code forward}, a training forward pass without the tape (checkpointed layers), with
     * dropout on: its loss must see the masks its recomputed backward will see.
     */
    public static <T> T untapedTraining(Supplier<T> forward) {
        return withMode(DropoutMode.UNTAPED_TRAINING, forward);
    }

    /** Runs {@code recompute}, the taped recompute of an {@link #untapedTraining} forward, with its masks. */
    public static <T> T replayingDropout(Supplier<T> recompute) {
        return withMode(DropoutMode.REPLAY, recompute);
    }

    private static <T> T withMode(DropoutMode mode, Supplier<T> body) {
        DropoutMode before = MODE.get();
        MODE.set(mode);
        try {
            return body.get();
        } finally {
            MODE.set(before);
        }
    }

    /** Dropout of {@code x}, the input of {@code module}'s adapter, in training; {@code x} itself otherwise. */
    NDArray dropout(NDArray x, String module) {
        DropoutMode mode = MODE.get();
        if (config.dropout() == 0 || (mode == DropoutMode.BY_GRAD_MODE && !JniUtils.isGradMode())) {
            return x;
        }
        int call = mode == DropoutMode.REPLAY
                ? dropoutCalls.getOrDefault(module, 1) - 1
                : dropoutCalls.merge(module, 1, Integer::sum) - 1;
        JniUtils.setSeed(mix(mix(mix(dropoutSeed ^ mix(step)) + mix(module.hashCode())) + call));
        return JniUtils.dropout((PtNDArray) x, config.dropout(), true);
    }

    /**
     * {@code base}'s tensors with every adapter folded in ({@code W + (alpha/r) B A}, computed in
     * float32 and rounded once to W's dtype) and the saved modules in place of the base's; new arrays
     * in {@code out} for the changed tensors, the base's own for the rest.
     */
    public Map<String, NDArray> merge(ModelWeights base, NDManager out) {
        Map<String, NDArray> merged = new LinkedHashMap<>(base.asMap());
        try (NDManager work = out.newSubManager()) {
            for (LoraAdapter adapter : adapters.values()) {
                String name = adapter.module() + ".weight";
                NDArray w = base.get(name);
                NDArray w32 = w.toType(DataType.FLOAT32, true);
                w32.attach(work);
                NDArray sum = adapter.foldInto(w32).toType(w.getDataType(), true);
                sum.attach(out);
                merged.put(name, sum);
            }
        }
        saved.forEach((tensor, array) -> {
            NDArray copy = array.duplicate();
            copy.attach(out);
            merged.put(tensor, copy);
        });
        return merged;
    }

    @Override
    public void close() {
        manager.close();
    }

    // SplitMix64's finaliser, so that close seeds give unrelated streams.
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
