package org.rlhf4j.core.training;

import ai.djl.ndarray.types.DataType;
import org.rlhf4j.core.config.ConfigException;
import org.rlhf4j.core.io.SaveDtype;

/**
 * Validation and defaults of the keys every stage config shares ({@code dtype}, {@code save_dtype}),
 * so that each stage's record says the same thing about them in the same words.
 */
public final class StageKeys {

    private StageKeys() {}

    /**
     * The keys a training stage cannot start without: {@code model}, {@code output_dir} and the
     * {@code data:} and {@code train:} sections.
     */
    public static void requireTrainingSections(String model, String outputDir, Object data, Object train) {
        if (model == null || model.isBlank()) {
            throw new ConfigException("model: the starting model directory is required");
        }
        if (outputDir == null || outputDir.isBlank()) {
            throw new ConfigException("output_dir is required");
        }
        if (data == null) {
            throw new ConfigException("data: the section with data.train is required");
        }
        if (train == null) {
            throw new ConfigException("train: the section with max_steps or epochs is required");
        }
    }

    /**
     * {@code dtype} of a training stage: float32 (the default and the only value), canonicalised.
     * float16 training is refused: DJL's {@code toType} records no autograd edge (measured: the
     * gradient through {@code x.toType(FLOAT16).toType(FLOAT32)} is zero), so the float32 islands of
     * the forward (norms, softmax, losses) would cut every gradient, and there is no loss scaling.
     */
    public static String computeDtype(String dtype) {
        String value = dtype == null ? "float32" : dtype.trim().toLowerCase();
        if (value.equals("float16")) {
            throw new ConfigException("dtype: float16 cannot train: DJL's dtype cast records no gradient, so the"
                    + " float32 norms, softmaxes and losses would cut the backward; use dtype float32, and"
                    + " lora.base_dtype: float16 to hold a frozen LoRA base in half precision");
        }
        if (!value.equals("float32")) {
            throw new ConfigException("dtype must be float32, got '" + value
                    + "' (bfloat16 and float16 exist in files: use save_dtype)");
        }
        return value;
    }

    /** {@code save_dtype}: float32 (default), bfloat16 or float16, as its torch name. */
    public static String saveDtype(String saveDtype) {
        return SaveDtype.fromName(saveDtype == null ? "float32" : saveDtype).torchName();
    }

    /** The engine dtype of a canonical {@code dtype} value. */
    public static DataType computeType(String dtype) {
        return dtype.equals("float16") ? DataType.FLOAT16 : DataType.FLOAT32;
    }
}
