package org.rlhf4j.core.io;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The element types this toolkit reads from and writes to safetensors files, by their header names. */
public enum SafetensorsDtype {
    F32(4, true),
    BF16(2, true),
    F16(2, true),
    I64(8, false),
    I32(4, false);

    private final int byteSize;
    private final boolean floating;

    SafetensorsDtype(int byteSize, boolean floating) {
        this.byteSize = byteSize;
        this.floating = floating;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /** Whether this is a floating-point type (the ones model weights may have). */
    public boolean isFloating() {
        return floating;
    }

    /** The name as it appears in a header's {@code dtype} field. */
    public String headerName() {
        return name();
    }

    /** Looks a header's {@code dtype} up, or returns null when it is not one of the supported types. */
    static SafetensorsDtype fromHeaderName(String name) {
        for (SafetensorsDtype d : values()) {
            if (d.name().equals(name)) {
                return d;
            }
        }
        return null;
    }

    /** The supported names, for error messages. */
    static String supportedNames() {
        return Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", "));
    }
}
