package org.rlhf4j.core.io;

import java.util.Locale;
import org.rlhf4j.core.config.UserException;

/**
 * The dtype model weights are written in: float32 arrays are converted on the way to disk, and the
 * choice is recorded as {@code torch_dtype} in {@code config.json}.
 */
public enum SaveDtype {
    FLOAT32("float32", SafetensorsDtype.F32),
    BFLOAT16("bfloat16", SafetensorsDtype.BF16),
    FLOAT16("float16", SafetensorsDtype.F16);

    private final String torchName;
    private final SafetensorsDtype fileDtype;

    SaveDtype(String torchName, SafetensorsDtype fileDtype) {
        this.torchName = torchName;
        this.fileDtype = fileDtype;
    }

    /** The name transformers uses for {@code torch_dtype}, e.g. {@code bfloat16}. */
    public String torchName() {
        return torchName;
    }

    /** The element type in the safetensors file. */
    public SafetensorsDtype fileDtype() {
        return fileDtype;
    }

    /**
     * Parses a config value: the torch name ({@code float32}, {@code bfloat16}, {@code float16}),
     * with or without a {@code torch.} prefix, or the short forms {@code fp32}, {@code bf16},
     * {@code fp16}, {@code f32}, {@code f16}, {@code half}; case-insensitive.
     */
    public static SaveDtype fromName(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        if (n.startsWith("torch.")) {
            n = n.substring("torch.".length());
        }
        return switch (n) {
            case "float32", "fp32", "f32", "float" -> FLOAT32;
            case "bfloat16", "bf16" -> BFLOAT16;
            case "float16", "fp16", "f16", "half" -> FLOAT16;
            default -> throw new UserException("save_dtype '" + name
                    + "' is not supported; expected float32, bfloat16 or float16");
        };
    }
}
