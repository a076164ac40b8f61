package org.rlhf4j.core.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads safetensors files: validates the header completely, then maps each tensor's bytes with
 * {@link FileChannel#map} (in pieces under 2 GiB) and converts them to the compute dtype.
 *
 * <p>Arrays returned by {@code read} own their memory (torch-allocated copies, never views of the
 * read-only file map), so they can be trained in place and the file may be overwritten afterwards.
 */
public final class SafetensorsReader {

    /** The format's own limit on the header size (the reference implementation rejects larger ones). */
    static final long MAX_HEADER_BYTES = 100_000_000L;
    /** Elements converted per piece: bounds the scratch buffer and keeps every map under 2 GiB. */
    static final int DEFAULT_CHUNK_ELEMENTS = 1 << 24;

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private SafetensorsReader() {}

    /** Reads and validates the header of {@code file}; errors name the file and the tensor. */
    public static SafetensorsHeader header(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < 8) {
                throw new IOException(file + ": not a safetensors file: it has " + size
                        + " bytes, expected at least 8 (the little-endian header length)");
            }
            ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, lengthBytes, 0, file);
            long headerLength = lengthBytes.getLong(0);
            if (headerLength < 2 || headerLength > size - 8) {
                throw new IOException(file + ": header length " + Long.toUnsignedString(headerLength)
                        + " does not fit in a file of " + size + " bytes (expected 2 to " + (size - 8)
                        + "); the file is truncated or not safetensors");
            }
            if (headerLength > MAX_HEADER_BYTES) {
                throw new IOException(file + ": header length " + headerLength + " exceeds the format's limit of "
                        + MAX_HEADER_BYTES + " bytes");
            }
            ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
            readFully(channel, headerBytes, 8, file);
            return parseHeader(file, headerBytes.array(), 8 + headerLength, size - 8 - headerLength);
        }
    }

    /** Reads every tensor of {@code file}, floating ones converted to {@code target}, in header order. */
    public static LinkedHashMap<String, NDArray> read(Path file, NDManager manager, DataType target)
            throws IOException {
        SafetensorsHeader header = header(file);
        return read(header, header.tensors().keySet(), manager, target);
    }

    /**
     * Reads the named tensors of an already parsed file, in the order given. Floating tensors
     * (F32, BF16, F16) become {@code target} (FLOAT32 or FLOAT16); I64 and I32 tensors keep their
     * type. Every returned array is attached to {@code manager}; on failure none is left open.
     */
    public static LinkedHashMap<String, NDArray> read(SafetensorsHeader header, Collection<String> names,
            NDManager manager, DataType target) throws IOException {
        return read(header, names, manager, target, DEFAULT_CHUNK_ELEMENTS);
    }

    static LinkedHashMap<String, NDArray> read(SafetensorsHeader header, Collection<String> names,
            NDManager manager, DataType target, int chunkElements) throws IOException {
        requireComputeType(target);
        LinkedHashMap<String, NDArray> out = new LinkedHashMap<>();
        Scratch scratch = new Scratch();
        try (FileChannel channel = FileChannel.open(header.file(), StandardOpenOption.READ)) {
            for (String name : names) {
                TensorInfo info = header.tensor(name);
                out.put(name, readTensor(channel, header, info, manager, target, chunkElements, scratch));
            }
        } catch (IOException | RuntimeException | Error e) {
            out.values().forEach(NDArray::close);
            throw e;
        }
        return out;
    }

    /** Reads every floating tensor of {@code file} into Java float arrays (no NDManager needed). */
    public static LinkedHashMap<String, FloatTensor> readFloats(Path file) throws IOException {
        return readFloats(file, DEFAULT_CHUNK_ELEMENTS);
    }

    static LinkedHashMap<String, FloatTensor> readFloats(Path file, int chunkElements) throws IOException {
        SafetensorsHeader header = header(file);
        LinkedHashMap<String, FloatTensor> out = new LinkedHashMap<>();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            for (TensorInfo info : header.tensors().values()) {
                if (!info.dtype().isFloating()) {
                    throw new IOException(file + ": tensor '" + info.name() + "' has dtype " + info.dtype()
                            + "; readFloats reads floating tensors (F32, BF16, F16) only");
                }
                if (info.numElements() > Integer.MAX_VALUE - 8) {
                    throw new IOException(file + ": tensor '" + info.name() + "' has " + info.numElements()
                            + " elements, more than a Java array holds; use read(...) into NDArrays");
                }
                float[] values = new float[(int) info.numElements()];
                forEachPiece(channel, header, info, chunkElements, (raw, first, shape) ->
                        decodeFloats(raw, info.dtype(), values, (int) first));
                out.put(info.name(), new FloatTensor(info.shape(), values));
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- header parsing

    static SafetensorsHeader parseHeader(Path file, byte[] json, long dataStart, long dataSize) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IOException(file + ": header is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IOException(file + ": header must be a JSON object of tensors, got "
                    + (root == null ? "nothing" : root.getNodeType()));
        }
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (field.getKey().equals("__metadata__")) {
                metadata.putAll(parseMetadata(file, field.getValue()));
            } else {
                tensors.put(field.getKey(), parseTensor(file, field.getKey(), field.getValue(), dataSize));
            }
        }
        requireDisjoint(file, tensors.values());
        return new SafetensorsHeader(file, dataStart, tensors, metadata);
    }

    private static Map<String, String> parseMetadata(Path file, JsonNode node) throws IOException {
        if (!node.isObject()) {
            throw new IOException(file + ": __metadata__ must be an object of strings, got " + node.getNodeType());
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw new IOException(file + ": __metadata__ value of '" + e.getKey() + "' must be a string, got "
                        + e.getValue().getNodeType());
            }
            metadata.put(e.getKey(), e.getValue().asText());
        }
        return metadata;
    }

    private static TensorInfo parseTensor(Path file, String name, JsonNode node, long dataSize) throws IOException {
        String where = file + ": tensor '" + name + "'";
        if (!node.isObject()) {
            throw new IOException(where + ": expected an object with dtype, shape and data_offsets, got "
                    + node.getNodeType());
        }
        JsonNode dtypeNode = node.get("dtype");
        if (dtypeNode == null || !dtypeNode.isTextual()) {
            throw new IOException(where + ": missing or non-string \"dtype\"");
        }
        SafetensorsDtype dtype = SafetensorsDtype.fromHeaderName(dtypeNode.asText());
        if (dtype == null) {
            throw new IOException(where + " has dtype '" + dtypeNode.asText() + "', which is not supported; expected one of "
                    + SafetensorsDtype.supportedNames());
        }
        long[] shape = nonNegativeLongs(where, "shape", node.get("shape"), -1);
        long[] offsets = nonNegativeLongs(where, "data_offsets", node.get("data_offsets"), 2);
        long begin = offsets[0];
        long end = offsets[1];
        if (begin > end) {
            throw new IOException(where + ": data_offsets " + Arrays.toString(offsets) + " end before they begin");
        }
        long expectedBytes;
        try {
            expectedBytes = Math.multiplyExact(TensorInfo.elementCount(shape), dtype.byteSize());
        } catch (ArithmeticException e) {
            throw new IOException(where + ": shape " + Arrays.toString(shape) + " is too large", e);
        }
        if (expectedBytes != end - begin) {
            throw new IOException(where + " of dtype " + dtype + " and shape " + Arrays.toString(shape) + " needs "
                    + expectedBytes + " bytes, but data_offsets " + Arrays.toString(offsets) + " span " + (end - begin));
        }
        if (end > dataSize) {
            throw new IOException(where + ": data_offsets " + Arrays.toString(offsets)
                    + " run past the end of the data buffer (" + dataSize + " bytes); the file is truncated");
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    private static long[] nonNegativeLongs(String where, String key, JsonNode node, int requiredLength)
            throws IOException {
        String expected = requiredLength < 0 ? "an array of non-negative integers"
                : "an array of " + requiredLength + " non-negative integers";
        if (node == null || !node.isArray() || (requiredLength >= 0 && node.size() != requiredLength)) {
            throw new IOException(where + ": \"" + key + "\" must be " + expected + ", got " + node);
        }
        long[] values = new long[node.size()];
        for (int i = 0; i < values.length; i++) {
            JsonNode v = node.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < 0) {
                throw new IOException(where + ": \"" + key + "\" must be " + expected + ", got " + node);
            }
            values[i] = v.asLong();
        }
        return values;
    }

    private static void requireDisjoint(Path file, Collection<TensorInfo> tensors) throws IOException {
        List<TensorInfo> byStart = new ArrayList<>();
        for (TensorInfo t : tensors) {
            if (t.byteSize() > 0) { // empty tensors occupy no bytes and cannot overlap anything
                byStart.add(t);
            }
        }
        byStart.sort(Comparator.comparingLong(TensorInfo::begin));
        for (int i = 1; i < byStart.size(); i++) {
            TensorInfo previous = byStart.get(i - 1);
            TensorInfo current = byStart.get(i);
            if (current.begin() < previous.end()) {
                throw new IOException(file + ": tensors '" + previous.name() + "' [" + previous.begin() + ", "
                        + previous.end() + ") and '" + current.name() + "' [" + current.begin() + ", " + current.end()
                        + ") overlap; each tensor needs its own bytes");
            }
        }
    }

    // ---------------------------------------------------------------- tensor data

    /** Receives one piece of a tensor: its little-endian bytes, its first element's index and its shape. */
    @FunctionalInterface
    private interface PieceVisitor {
        void visit(ByteBuffer raw, long firstElement, long[] shape) throws IOException;
    }

    /** Maps a tensor in pieces of whole rows (along dimension 0), each at most {@code chunkElements}. */
    private static void forEachPiece(FileChannel channel, SafetensorsHeader header, TensorInfo info,
            int chunkElements, PieceVisitor visitor) throws IOException {
        long[] shape = info.shape();
        long rows = shape.length == 0 ? 1 : shape[0];
        long rowElements = info.numElements() / rows;
        long rowBytes = rowElements * info.dtype().byteSize();
        if (rowBytes > Integer.MAX_VALUE) {
            throw new IOException(header.file() + ": tensor '" + info.name() + "' has rows of " + rowBytes
                    + " bytes; rows over 2 GiB are not supported");
        }
        long rowsPerPiece = Math.max(1, chunkElements / rowElements);
        for (long row = 0; row < rows; row += rowsPerPiece) {
            long pieceRows = Math.min(rowsPerPiece, rows - row);
            long[] pieceShape = shape.clone();
            if (pieceShape.length > 0) {
                pieceShape[0] = pieceRows;
            }
            long position = header.dataStart() + info.begin() + row * rowBytes;
            ByteBuffer raw = channel.map(FileChannel.MapMode.READ_ONLY, position, pieceRows * rowBytes)
                    .order(ByteOrder.LITTLE_ENDIAN);
            visitor.visit(raw, row * rowElements, pieceShape);
        }
    }

    private static NDArray readTensor(FileChannel channel, SafetensorsHeader header, TensorInfo info,
            NDManager manager, DataType target, int chunkElements, Scratch scratch) throws IOException {
        DataType outType = switch (info.dtype()) {
            case F32, BF16, F16 -> target;
            case I64 -> DataType.INT64;
            case I32 -> DataType.INT32;
        };
        if (info.numElements() == 0) {
            return manager.zeros(new Shape(info.shape()), outType);
        }
        List<NDArray> pieces = new ArrayList<>();
        try {
            forEachPiece(channel, header, info, chunkElements, (raw, first, shape) ->
                    pieces.add(toOwnedArray(raw, info.dtype(), new Shape(shape), manager, outType, scratch)));
            if (pieces.size() == 1) {
                return pieces.get(0);
            }
            NDArray whole = NDArrays.concat(new NDList(pieces), 0);
            pieces.forEach(NDArray::close);
            return whole;
        } catch (IOException | RuntimeException | Error e) {
            pieces.forEach(NDArray::close);
            throw e;
        }
    }

    /**
     * Turns one piece of file bytes into a torch-owned array of {@code outType}: F32/F16/I64/I32 are
     * wrapped zero-copy and then copied or converted by torch; BF16 is widened to float32 in Java
     * first, because the engine cannot hold bfloat16.
     */
    private static NDArray toOwnedArray(ByteBuffer raw, SafetensorsDtype dtype, Shape shape, NDManager manager,
            DataType outType, Scratch scratch) {
        NDArray view = switch (dtype) {
            case F32 -> wrap(raw, shape, DataType.FLOAT32, manager, scratch);
            case F16 -> wrap(raw, shape, DataType.FLOAT16, manager, scratch);
            case I64 -> wrap(raw, shape, DataType.INT64, manager, scratch);
            case I32 -> wrap(raw, shape, DataType.INT32, manager, scratch);
            case BF16 -> manager.create(widenBf16(raw, scratch), shape, DataType.FLOAT32);
        };
        try {
            // Never hand out the view: it points into a read-only map (writes segfault) or scratch memory.
            return view.getDataType() == outType ? view.duplicate() : view.toType(outType, false);
        } finally {
            view.close();
        }
    }

    /** A zero-copy array over little-endian bytes (a byte-swapped copy on a big-endian host). */
    private static NDArray wrap(ByteBuffer raw, Shape shape, DataType type, NDManager manager, Scratch scratch) {
        if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
            return manager.create(raw, shape, type);
        }
        ByteBuffer swapped = scratch.buffer(raw.remaining());
        switch (type.getNumOfBytes()) {
            case 2 -> swapped.asShortBuffer().put(raw.asShortBuffer());
            case 4 -> swapped.asIntBuffer().put(raw.asIntBuffer());
            default -> swapped.asLongBuffer().put(raw.asLongBuffer());
        }
        return manager.create(swapped, shape, type);
    }

    /** bfloat16 is the top half of a float32, so widening is a 16-bit shift. */
    private static ByteBuffer widenBf16(ByteBuffer raw, Scratch scratch) {
        ShortBuffer source = raw.asShortBuffer();
        int n = source.remaining();
        ByteBuffer out = scratch.buffer(n * 4);
        FloatBuffer floats = out.asFloatBuffer();
        for (int i = 0; i < n; i++) {
            floats.put(i, BFloat16.toFloat(source.get(i)));
        }
        return out;
    }

    private static void decodeFloats(ByteBuffer raw, SafetensorsDtype dtype, float[] out, int offset) {
        switch (dtype) {
            case F32 -> raw.asFloatBuffer().get(out, offset, raw.remaining() / 4);
            case BF16 -> {
                ShortBuffer s = raw.asShortBuffer();
                for (int i = 0, n = s.remaining(); i < n; i++) {
                    out[offset + i] = BFloat16.toFloat(s.get(i));
                }
            }
            case F16 -> {
                ShortBuffer s = raw.asShortBuffer();
                for (int i = 0, n = s.remaining(); i < n; i++) {
                    out[offset + i] = Float16.toFloat(s.get(i));
                }
            }
            default -> throw new IllegalStateException("not a floating dtype: " + dtype);
        }
    }

    static void requireComputeType(DataType target) {
        if (target != DataType.FLOAT32 && target != DataType.FLOAT16) {
            // BFLOAT16 in particular: the PyTorch engine aborts the JVM on it.
            throw new IllegalArgumentException("compute dtype " + target + " is not supported for loading weights; "
                    + "expected FLOAT32 or FLOAT16 (bfloat16 exists only in files)");
        }
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position, Path file)
            throws IOException {
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, position + buffer.position());
            if (n < 0) {
                throw new EOFException(file + ": unexpected end of file at byte " + (position + buffer.position()));
            }
        }
    }

    /** One reusable native-order direct buffer per read call, for conversions done in Java. */
    private static final class Scratch {
        private ByteBuffer buffer;

        ByteBuffer buffer(int bytes) {
            if (buffer == null || buffer.capacity() < bytes) {
                buffer = ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
            }
            ByteBuffer view = buffer.duplicate().order(ByteOrder.nativeOrder());
            view.clear().limit(bytes);
            return view;
        }
    }
}
