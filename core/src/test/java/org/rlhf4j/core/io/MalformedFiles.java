package org.rlhf4j.core.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Builds safetensors files byte by byte, so tests can break them in controlled ways. */
final class MalformedFiles {

    private MalformedFiles() {}

    /** Writes {@code [u64 LE length of json][json][data]}. */
    static Path write(Path file, String json, byte[] data) throws IOException {
        byte[] header = json.getBytes(StandardCharsets.UTF_8);
        return write(file, header.length, header, data);
    }

    /** Writes a file whose length field says {@code declaredLength}, whatever follows. */
    static Path write(Path file, long declaredLength, byte[] header, byte[] data) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(declaredLength).put(header).put(data);
        Files.write(file, buffer.array());
        return file;
    }
}
