package org.rlhf4j.core.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Writes safetensors files from float arrays, converting to the saved dtype in Java (bfloat16 by
 * round-to-nearest-even, bit-identical to torch). The header carries
 * {@code {"__metadata__":{"format":"pt"}}}, is padded with spaces to a multiple of 8 bytes, and the
 * tensors' data follow contiguously in the order given. The file appears under its name only when
 * complete (temporary sibling, then an atomic rename).
 */
public final class SafetensorsWriter {

    private static final ObjectMapper JSON = new ObjectMapper();

    private SafetensorsWriter() {}

    /**
     * Writes floating NDArrays (FLOAT32, FLOAT16 or FLOAT64, on any device) as {@code dtype}, in
     * map order. The arrays are only read.
     */
    public static void write(Path file, Map<String, NDArray> tensors, SaveDtype dtype) throws IOException {
        write(file, tensors, dtype, SafetensorsReader.DEFAULT_CHUNK_ELEMENTS);
    }

    static void write(Path file, Map<String, NDArray> tensors, SaveDtype dtype, int chunkElements)
            throws IOException {
        List<Source> sources = new ArrayList<>();
        tensors.forEach((name, array) -> sources.add(new ArraySource(name, array)));
        writeSources(file, sources, dtype, chunkElements);
    }

    /** Writes Java float tensors as {@code dtype}, in map order. */
    public static void writeFloats(Path file, Map<String, FloatTensor> tensors, SaveDtype dtype) throws IOException {
        List<Source> sources = new ArrayList<>();
        tensors.forEach((name, tensor) -> sources.add(new FloatSource(name, tensor)));
        writeSources(file, sources, dtype, SafetensorsReader.DEFAULT_CHUNK_ELEMENTS);
    }

    /** Bytes a tensor of this shape takes in a file of this dtype. */
    public static long byteSize(long[] shape, SaveDtype dtype) {
        return TensorInfo.elementCount(shape) * dtype.fileDtype().byteSize();
    }

    // ---------------------------------------------------------------- internals

    /** A tensor to write: its name, shape and a way to get float32 values for a range of rows. */
    private interface Source {
        String name();

        long[] shape();

        /** Values of rows {@code [from, to)} along dimension 0 (the whole tensor for a scalar). */
        float[] rows(long from, long to);
    }

    private record FloatSource(String name, FloatTensor tensor) implements Source {
        @Override
        public long[] shape() {
            return tensor.shape();
        }

        @Override
        public float[] rows(long from, long to) {
            long[] shape = tensor.shape();
            int rowElements = shape.length == 0 ? 1 : (int) (tensor.values().length / Math.max(1, shape[0]));
            return Arrays.copyOfRange(tensor.values(), (int) from * rowElements, (int) to * rowElements);
        }
    }

    private record ArraySource(String name, NDArray array) implements Source {
        ArraySource {
            DataType type = array.getDataType();
            if (type != DataType.FLOAT32 && type != DataType.FLOAT16 && type != DataType.FLOAT64) {
                throw new IllegalArgumentException("tensor '" + name + "' has data type " + type
                        + "; only floating arrays (FLOAT32, FLOAT16, FLOAT64) are written as weights");
            }
        }

        @Override
        public long[] shape() {
            return array.getShape().getShape();
        }

        @Override
        public float[] rows(long from, long to) {
            long[] shape = shape();
            if (shape.length == 0 || (from == 0 && to == shape[0])) {
                return floats(array);
            }
            try (NDArray part = array.get(new NDIndex().addSliceDim(from, to))) {
                return floats(part);
            }
        }

        private static float[] floats(NDArray a) {
            if (a.getDataType() == DataType.FLOAT32) {
                return a.toFloatArray();
            }
            try (NDArray f = a.toType(DataType.FLOAT32, false)) {
                return f.toFloatArray();
            }
        }
    }

    private static void writeSources(Path file, List<Source> sources, SaveDtype dtype, int chunkElements)
            throws IOException {
        byte[] header = headerBytes(file, sources, dtype);
        AtomicFiles.write(file, temp -> {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE)) {
                ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length);
                writeFully(channel, length);
                writeFully(channel, ByteBuffer.wrap(header));
                ByteBuffer buffer = null;
                for (Source source : sources) {
                    long[] shape = source.shape();
                    long numel = TensorInfo.elementCount(shape);
                    if (numel == 0) {
                        continue;
                    }
                    long rows = shape.length == 0 ? 1 : shape[0];
                    long rowElements = numel / rows;
                    long rowsPerPiece = Math.max(1, chunkElements / rowElements);
                    for (long row = 0; row < rows; row += rowsPerPiece) {
                        float[] values = source.rows(row, Math.min(rows, row + rowsPerPiece));
                        int bytes = values.length * dtype.fileDtype().byteSize();
                        if (buffer == null || buffer.capacity() < bytes) {
                            buffer = ByteBuffer.allocateDirect(bytes).order(ByteOrder.LITTLE_ENDIAN);
                        }
                        buffer.clear();
                        encode(values, dtype, buffer);
                        buffer.flip();
                        writeFully(channel, buffer);
                    }
                }
            }
        });
    }

    /** The JSON header, offsets contiguous in the given order, padded with spaces to a multiple of 8. */
    private static byte[] headerBytes(Path file, List<Source> sources, SaveDtype dtype) {
        ObjectNode root = JSON.createObjectNode();
        root.putObject("__metadata__").put("format", "pt");
        long offset = 0;
        for (Source source : sources) {
            String name = source.name();
            if (name == null || name.isEmpty() || name.equals("__metadata__") || root.has(name)) {
                throw new IllegalArgumentException(file + ": invalid or duplicate tensor name '" + name + "'");
            }
            long[] shape = source.shape();
            long size = byteSize(shape, dtype);
            ObjectNode entry = root.putObject(name);
            entry.put("dtype", dtype.fileDtype().headerName());
            ArrayNode shapeNode = entry.putArray("shape");
            for (long d : shape) {
                shapeNode.add(d);
            }
            entry.putArray("data_offsets").add(offset).add(offset + size);
            offset += size;
        }
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        int padded = (json.length + 7) & ~7;
        byte[] header = Arrays.copyOf(json, padded);
        Arrays.fill(header, json.length, padded, (byte) ' ');
        return header;
    }

    private static void encode(float[] values, SaveDtype dtype, ByteBuffer out) {
        switch (dtype) {
            case FLOAT32 -> out.asFloatBuffer().put(values);
            case BFLOAT16 -> {
                for (int i = 0; i < values.length; i++) {
                    out.putShort(i * 2, BFloat16.fromFloat(values[i]));
                }
            }
            case FLOAT16 -> {
                for (int i = 0; i < values.length; i++) {
                    out.putShort(i * 2, Float16.fromFloat(values[i]));
                }
            }
        }
        out.position(values.length * dtype.fileDtype().byteSize());
    }

    private static void writeFully(FileChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }
}
