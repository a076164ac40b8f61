package org.rlhf4j.core.io;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The parsed and validated header of one safetensors file.
 *
 * @param file the file it was read from
 * @param dataStart absolute position of the data buffer: 8 + header length
 * @param tensors the tensors in header order, by name
 * @param metadata the {@code __metadata__} strings (empty when absent)
 */
public record SafetensorsHeader(Path file, long dataStart, Map<String, TensorInfo> tensors,
        Map<String, String> metadata) {

    public SafetensorsHeader {
        tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    /** The entry of a tensor; the error names the file and the tensor. */
    public TensorInfo tensor(String name) {
        TensorInfo info = tensors.get(name);
        if (info == null) {
            throw new IllegalArgumentException(file + ": no tensor named '" + name + "'");
        }
        return info;
    }
}
