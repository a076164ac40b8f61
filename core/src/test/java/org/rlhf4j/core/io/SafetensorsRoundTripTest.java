package org.rlhf4j.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Writes tensors in every dtype and reads them back, through NDArrays and through Java arrays. */
class SafetensorsRoundTripTest {

    private static NDManager manager;

    @TempDir
    Path dir;

    @BeforeAll
    static void openManager() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void closeManager() {
        manager.close();
    }

    /** Random values over many magnitudes, so rounding is exercised in every exponent range. */
    private static float[] randomFloats(int n, long seed) {
        Random random = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(7) - 4));
        }
        return v;
    }

    private LinkedHashMap<String, NDArray> sampleTensors() {
        LinkedHashMap<String, NDArray> tensors = new LinkedHashMap<>();
        tensors.put("b.matrix", manager.create(randomFloats(35, 1), new Shape(5, 7)));
        tensors.put("a.vector", manager.create(randomFloats(6, 2), new Shape(6)));
        tensors.put("c.cube", manager.create(randomFloats(24, 3), new Shape(2, 3, 4)));
        tensors.put("d.scalar", manager.create(randomFloats(1, 4), new Shape()));
        return tensors;
    }

    @Test
    void float32RoundTripIsExactAndKeepsOrder() throws IOException {
        Path file = dir.resolve("f32.safetensors");
        LinkedHashMap<String, NDArray> written = sampleTensors();
        SafetensorsWriter.write(file, written, SaveDtype.FLOAT32);

        LinkedHashMap<String, NDArray> read = SafetensorsReader.read(file, manager, DataType.FLOAT32);
        assertEquals(new ArrayList<>(written.keySet()), new ArrayList<>(read.keySet()));
        for (String name : written.keySet()) {
            assertEquals(written.get(name).getShape(), read.get(name).getShape(), name);
            assertEquals(DataType.FLOAT32, read.get(name).getDataType());
            assertArrayEquals(written.get(name).toFloatArray(), read.get(name).toFloatArray(), name);
        }
        SafetensorsHeader header = SafetensorsReader.header(file);
        assertEquals(Map.of("format", "pt"), header.metadata());
        assertEquals(SafetensorsDtype.F32, header.tensor("b.matrix").dtype());
    }

    @Test
    void bfloat16RoundTripEqualsRoundedValues() throws IOException {
        Path file = dir.resolve("bf16.safetensors");
        LinkedHashMap<String, NDArray> written = sampleTensors();
        SafetensorsWriter.write(file, written, SaveDtype.BFLOAT16);

        LinkedHashMap<String, NDArray> read = SafetensorsReader.read(file, manager, DataType.FLOAT32);
        for (String name : written.keySet()) {
            float[] original = written.get(name).toFloatArray();
            float[] expected = new float[original.length];
            for (int i = 0; i < original.length; i++) {
                expected[i] = BFloat16.toFloat(BFloat16.fromFloat(original[i]));
            }
            assertArrayEquals(expected, read.get(name).toFloatArray(), name);
        }
        assertEquals(SafetensorsDtype.BF16, SafetensorsReader.header(file).tensor("a.vector").dtype());
    }

    @Test
    void bfloat16FileHoldsTheRoundedBitPatterns() throws IOException {
        Path file = dir.resolve("bits.safetensors");
        float[] values = {1.00390625f, 1.01171875f, Float.NaN, Float.MAX_VALUE, -2.0f};
        SafetensorsWriter.writeFloats(file, Map.of("x", new FloatTensor(new long[] {5}, values)), SaveDtype.BFLOAT16);

        ByteBuffer data = dataBuffer(file);
        short[] expected = {0x3F80, 0x3F82, 0x7FC0, 0x7F80, (short) 0xC000}; // ties to even, NaN, overflow
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], data.getShort(i * 2), "element " + i);
        }
        float[] back = SafetensorsReader.readFloats(file).get("x").values();
        assertEquals(1.0f, back[0]);
        assertEquals(1.015625f, back[1]);
        assertTrue(Float.isNaN(back[2]));
        assertEquals(Float.POSITIVE_INFINITY, back[3]);
    }

    @Test
    void float16RoundTripIsExactForRepresentableValues() throws IOException {
        Path file = dir.resolve("f16.safetensors");
        float[] representable = {0f, 1f, -2.5f, 0.333251953125f, 65504f, 0x1p-24f, 0x1p-14f, 1023.5f, -0.0f};
        LinkedHashMap<String, NDArray> written = new LinkedHashMap<>();
        written.put("exact", manager.create(representable));
        written.put("random", manager.create(randomFloats(40, 5), new Shape(8, 5)));
        SafetensorsWriter.write(file, written, SaveDtype.FLOAT16);

        LinkedHashMap<String, NDArray> read = SafetensorsReader.read(file, manager, DataType.FLOAT32);
        assertArrayEquals(representable, read.get("exact").toFloatArray());
        float[] original = written.get("random").toFloatArray();
        float[] back = read.get("random").toFloatArray();
        for (int i = 0; i < original.length; i++) {
            assertEquals(Float16.toFloat(Float16.fromFloat(original[i])), back[i], "element " + i);
        }
    }

    @Test
    void javaFloat16RoundingMatchesTorch() {
        float[] values = randomFloats(2000, 6);
        values[0] = 65520f;
        values[1] = 1 + 0x1p-11f;
        values[2] = 3 * 0x1p-25f;
        try (NDManager scope = manager.newSubManager()) {
            NDArray halves = scope.create(values).toType(DataType.FLOAT16, false);
            ByteBuffer torchBits = halves.toByteBuffer().order(ByteOrder.nativeOrder());
            for (int i = 0; i < values.length; i++) {
                assertEquals(torchBits.getShort(i * 2), Float16.fromFloat(values[i]), "value " + values[i]);
            }
        }
    }

    @Test
    void loadsAsFloat16ComputeType() throws IOException {
        Path file = dir.resolve("to-f16.safetensors");
        float[] values = randomFloats(12, 7);
        SafetensorsWriter.writeFloats(file, Map.of("w", new FloatTensor(new long[] {3, 4}, values)), SaveDtype.BFLOAT16);
        NDArray w = SafetensorsReader.read(file, manager, DataType.FLOAT16).get("w");
        assertEquals(DataType.FLOAT16, w.getDataType());
        float[] back = w.toType(DataType.FLOAT32, false).toFloatArray();
        for (int i = 0; i < values.length; i++) {
            float bf16 = BFloat16.toFloat(BFloat16.fromFloat(values[i]));
            assertEquals(Float16.toFloat(Float16.fromFloat(bf16)), back[i], "element " + i);
        }
    }

    @Test
    void loadedArraysOwnTheirMemoryAndCanBeWrittenInPlace() throws IOException {
        Path file = dir.resolve("own.safetensors");
        SafetensorsWriter.writeFloats(file, Map.of("w", new FloatTensor(new long[] {2, 2}, new float[] {1, 2, 3, 4})),
                SaveDtype.FLOAT32);
        NDArray w = SafetensorsReader.read(file, manager, DataType.FLOAT32).get("w");
        w.addi(manager.ones(new Shape(2, 2))); // would segfault on a view of the read-only map
        assertArrayEquals(new float[] {2, 3, 4, 5}, w.toFloatArray());
        // the file is unchanged, and overwriting it while w is alive is safe
        assertArrayEquals(new float[] {1, 2, 3, 4}, SafetensorsReader.readFloats(file).get("w").values());
        SafetensorsWriter.write(file, Map.of("w", w), SaveDtype.FLOAT32);
        assertArrayEquals(new float[] {2, 3, 4, 5}, SafetensorsReader.readFloats(file).get("w").values());
    }

    @Test
    void headerIsSpacePaddedToEightBytesWithContiguousOffsets() throws IOException {
        Path file = dir.resolve("layout.safetensors");
        SafetensorsWriter.write(file, sampleTensors(), SaveDtype.BFLOAT16);
        byte[] bytes = Files.readAllBytes(file);
        long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        assertEquals(0, n % 8, "header length " + n);
        String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
        assertTrue(header.startsWith("{\"__metadata__\":{\"format\":\"pt\"}"), header);
        String json = header.stripTrailing();
        assertTrue(json.endsWith("}"));
        assertTrue(header.substring(json.length()).chars().allMatch(c -> c == ' '), "padding is spaces");
        assertTrue(header.length() - json.length() < 8);

        JsonNode root = new ObjectMapper().readTree(json);
        List<String> names = new ArrayList<>();
        long expectedBegin = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            names.add(e.getKey());
            if (!e.getKey().equals("__metadata__")) {
                assertEquals(expectedBegin, e.getValue().get("data_offsets").get(0).asLong(), e.getKey());
                expectedBegin = e.getValue().get("data_offsets").get(1).asLong();
            }
        }
        assertEquals(List.of("__metadata__", "b.matrix", "a.vector", "c.cube", "d.scalar"), names);
        assertEquals(bytes.length, 8 + n + expectedBegin, "data ends with the file"); // (35+6+24+1) * 2 bytes
        assertEquals(132, expectedBegin);
    }

    @Test
    void piecewiseMappingGivesTheSameTensors() throws IOException {
        Path file = dir.resolve("pieces.safetensors");
        LinkedHashMap<String, NDArray> written = sampleTensors();
        SafetensorsWriter.write(file, written, SaveDtype.BFLOAT16, 4); // 4 elements per piece: 1 row of 7 at a time
        SafetensorsHeader header = SafetensorsReader.header(file);
        LinkedHashMap<String, NDArray> whole = SafetensorsReader.read(file, manager, DataType.FLOAT32);
        LinkedHashMap<String, NDArray> pieces = SafetensorsReader.read(header, header.tensors().keySet(), manager,
                DataType.FLOAT32, 6);
        for (String name : written.keySet()) {
            assertEquals(whole.get(name).getShape(), pieces.get(name).getShape(), name);
            assertArrayEquals(whole.get(name).toFloatArray(), pieces.get(name).toFloatArray(), name);
            float[] javaFloats = SafetensorsReader.readFloats(file, 5).get(name).values();
            assertArrayEquals(whole.get(name).toFloatArray(), javaFloats, name);
        }
    }

    @Test
    void readingAndWritingLeaveNoStrayArrays() throws IOException {
        Path file = dir.resolve("leak.safetensors");
        try (NDManager scope = manager.newSubManager()) {
            LinkedHashMap<String, NDArray> tensors = new LinkedHashMap<>();
            tensors.put("w", scope.create(randomFloats(21, 8), new Shape(7, 3)));
            tensors.put("h", scope.create(randomFloats(6, 9), new Shape(6)).toType(DataType.FLOAT16, false));
            int before = scope.getManagedArrays().size();
            SafetensorsWriter.write(file, tensors, SaveDtype.BFLOAT16, 4); // pieces: slices and casts, all closed
            assertEquals(before, scope.getManagedArrays().size());
        }
        try (NDManager scope = manager.newSubManager()) {
            SafetensorsHeader header = SafetensorsReader.header(file);
            SafetensorsReader.read(header, header.tensors().keySet(), scope, DataType.FLOAT32, 4);
            assertEquals(2, scope.getManagedArrays().size()); // the results only: views and pieces are closed
        }
    }

    @Test
    void readsIntegerAndEmptyTensors() throws IOException {
        // hand-built: "ids" I64 [3] = 7, -1, 2^40 at [0, 24); "empty" F32 [0, 4] at [24, 24)
        String json = "{\"ids\":{\"dtype\":\"I64\",\"shape\":[3],\"data_offsets\":[0,24]},"
                + "\"empty\":{\"dtype\":\"F32\",\"shape\":[0,4],\"data_offsets\":[24,24]}}";
        ByteBuffer data = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN).putLong(7).putLong(-1).putLong(1L << 40);
        Path file = MalformedFiles.write(dir.resolve("ints.safetensors"), json, data.array());
        LinkedHashMap<String, NDArray> read = SafetensorsReader.read(file, manager, DataType.FLOAT32);
        assertEquals(DataType.INT64, read.get("ids").getDataType());
        assertArrayEquals(new long[] {7, -1, 1L << 40}, read.get("ids").toLongArray());
        assertEquals(new Shape(0, 4), read.get("empty").getShape());
    }

    @Test
    void replacingAFileLeavesNoTemporaryFiles() throws IOException {
        Path file = dir.resolve("model.safetensors");
        SafetensorsWriter.write(file, sampleTensors(), SaveDtype.FLOAT32);
        SafetensorsWriter.writeFloats(file, Map.of("only", new FloatTensor(new long[] {1}, new float[] {3})),
                SaveDtype.FLOAT16);
        assertEquals(List.of("only"), new ArrayList<>(SafetensorsReader.header(file).tensors().keySet()));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList());
        }
    }

    @Test
    void rejectsIntegerArraysAndBfloat16ComputeType() throws IOException {
        Path file = dir.resolve("x.safetensors");
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> SafetensorsWriter.write(file, Map.of("ids", manager.create(new long[] {1, 2})), SaveDtype.FLOAT32));
        assertTrue(e.getMessage().contains("'ids'"), e.getMessage());
        assertFalse(Files.exists(file));
        SafetensorsWriter.writeFloats(file, Map.of("w", new FloatTensor(new long[] {1}, new float[] {1})),
                SaveDtype.FLOAT32);
        e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> SafetensorsReader.read(file, manager, DataType.BFLOAT16));
        assertTrue(e.getMessage().toLowerCase().contains("bfloat16"), e.getMessage());
    }

    /** The data buffer of a file, little-endian. */
    private static ByteBuffer dataBuffer(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        return ByteBuffer.wrap(bytes, (int) (8 + n), bytes.length - (int) (8 + n)).slice()
                .order(ByteOrder.LITTLE_ENDIAN);
    }
}
