package org.rlhf4j.core.lora;

import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.annotation.JsonFormat;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.rlhf4j.core.config.ConfigException;

/**
 * The {@code lora:} section every training stage accepts: train low-rank adapters on some
 * projections instead of every weight, with the base frozen.
 *
 * @param r rank of each adapter (default 8, PEFT's)
 * @param alpha scaling numerator; the update is {@code (alpha / r) B A} (default 16)
 * @param dropout dropout on the adapter's input while training, in [0, 1) (default 0, PEFT's)
 * @param targetModules which projections get an adapter, a subset of {@link #KNOWN_TARGETS}, or
 *     {@code all-linear} (PEFT's word) for all of them
 *     (default {@code [q_proj, v_proj]}, PEFT's default for Llama)
 * @param modulesToSave further base modules trained in full and saved with the adapter:
 *     {@code score}, {@code lm_head} or {@code embed_tokens}; a reward model always trains its
 *     {@code score} head this way (default none)
 * @param adapter a PEFT adapter directory ({@code adapter_config.json}) to start from instead of
 *     fresh adapters; its own r, alpha, targets, dropout and saved modules are used, this section's
 *     other keys are then ignored (default none)
 * @param baseDtype the dtype the frozen base is held in: {@code float32} (default) or {@code float16}
 *     (half the base's memory; each frozen projection computes in float16 and returns float32, norms,
 *     softmaxes, adapters, optimizer state and losses stay float32). {@code bfloat16} is refused:
 *     DJL's PyTorch engine has no bfloat16 tensors
 */
public record LoraConfig(Integer r, Double alpha, Double dropout,
        @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> targetModules,
        List<String> modulesToSave, String adapter, String baseDtype) {

    /** The projections an adapter may wrap, as PEFT names the modules of a Llama. */
    public static final List<String> KNOWN_TARGETS =
            List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj");
    /** PEFT's {@code target_modules} value for all of {@link #KNOWN_TARGETS} (as {@code rlhf4j plan} suggests it). */
    public static final String ALL_LINEAR = "all-linear";
    /** Modules that {@code modules_to_save} may name. */
    public static final List<String> KNOWN_SAVED_MODULES = List.of("score", "lm_head", "embed_tokens");

    public LoraConfig {
        r = r == null ? 8 : r;
        if (r < 1) {
            throw new ConfigException("lora.r must be >= 1, got " + r);
        }
        alpha = alpha == null ? 16.0 : alpha;
        if (!(alpha > 0) || alpha.isInfinite()) {
            throw new ConfigException("lora.alpha must be finite and > 0, got " + alpha);
        }
        dropout = dropout == null ? 0.0 : dropout;
        if (!(dropout >= 0 && dropout < 1)) {
            throw new ConfigException("lora.dropout must be in [0, 1), got " + dropout);
        }
        if (targetModules != null && targetModules.size() == 1 && ALL_LINEAR.equals(targetModules.get(0).trim())) {
            targetModules = KNOWN_TARGETS; // PEFT's shorthand: every linear layer but the output head
        }
        targetModules = List.copyOf(distinct("lora.target_modules",
                targetModules == null ? List.of("q_proj", "v_proj") : targetModules, KNOWN_TARGETS));
        if (targetModules.isEmpty()) {
            throw new ConfigException("lora.target_modules must name at least one of " + KNOWN_TARGETS);
        }
        modulesToSave = List.copyOf(distinct("lora.modules_to_save",
                modulesToSave == null ? List.of() : modulesToSave, KNOWN_SAVED_MODULES));
        if (adapter != null && adapter.isBlank()) {
            adapter = null;
        }
        baseDtype = baseDtype == null ? "float32" : baseDtype.trim();
        if (baseDtype.equals("bfloat16")) {
            throw new ConfigException("lora.base_dtype: bfloat16 is not available: DJL 0.35.1's PyTorch engine has no"
                    + " bfloat16 tensors (creating one aborts the process); use float16 or float32");
        }
        if (!baseDtype.equals("float32") && !baseDtype.equals("float16")) {
            throw new ConfigException("lora.base_dtype must be float32 or float16, got '" + baseDtype + "'");
        }
    }

    /** Without {@code base_dtype} (float32). */
    public LoraConfig(Integer r, Double alpha, Double dropout, List<String> targetModules, List<String> modulesToSave,
            String adapter) {
        this(r, alpha, dropout, targetModules, modulesToSave, adapter, null);
    }

    /** The dtype the frozen base is held in. */
    public DataType baseDataType() {
        return baseDtype.equals("float16") ? DataType.FLOAT16 : DataType.FLOAT32;
    }

    /** The defaults with nothing set. */
    public static LoraConfig defaults() {
        return new LoraConfig(null, null, null, null, null, null);
    }

    /** {@code alpha / r}, the factor of {@code B A}. */
    public double scale() {
        return alpha / r;
    }

    /** This config with {@code module} added to {@code modules_to_save} (a reward model's {@code score}). */
    public LoraConfig savingAlso(String module) {
        if (modulesToSave.contains(module)) {
            return this;
        }
        List<String> saved = new java.util.ArrayList<>(modulesToSave);
        saved.add(module);
        return new LoraConfig(r, alpha, dropout, targetModules, saved, adapter, baseDtype);
    }

    /** The adapter to start from, if any. */
    public Path adapterPath() {
        return adapter == null ? null : Path.of(adapter);
    }

    private static Set<String> distinct(String key, List<String> values, List<String> known) {
        Set<String> out = new LinkedHashSet<>();
        for (String v : values) {
            String name = v == null ? "" : v.trim();
            if (!known.contains(name)) {
                throw new ConfigException(key + ": unknown module '" + name + "'; expected any of " + known);
            }
            out.add(name);
        }
        return out;
    }
}
