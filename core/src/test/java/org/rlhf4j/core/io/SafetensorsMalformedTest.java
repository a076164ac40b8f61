package org.rlhf4j.core.io;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each way a safetensors file can be broken gives an error naming the file, the tensor and the expectation. */
class SafetensorsMalformedTest {

    @TempDir
    Path dir;

    private static void assertMentions(Exception e, String... parts) {
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "'" + part + "' not in: " + e.getMessage());
        }
    }

    private IOException headerError(Path file) {
        return assertThrows(IOException.class, () -> SafetensorsReader.header(file));
    }

    @Test
    void fileShorterThanTheLengthField() throws IOException {
        Path file = Files.write(dir.resolve("short.safetensors"), new byte[5]);
        assertMentions(headerError(file), file.toString(), "5 bytes", "at least 8");
    }

    @Test
    void headerLengthLargerThanTheFile() throws IOException {
        // declares a 1000-byte header, but only 2 + 10 bytes follow the length field
        Path file = MalformedFiles.write(dir.resolve("long.safetensors"), 1000, "{}".getBytes(StandardCharsets.UTF_8),
                new byte[10]);
        assertMentions(headerError(file), file.toString(), "header length 1000", "20 bytes");
    }

    @Test
    void negativeHeaderLength() throws IOException {
        Path file = MalformedFiles.write(dir.resolve("neg.safetensors"), -1, new byte[8], new byte[0]);
        assertMentions(headerError(file), file.toString(), "header length 18446744073709551615");
    }

    @Test
    void headerThatIsNotJson() throws IOException {
        Path file = MalformedFiles.write(dir.resolve("bad.safetensors"), "{\"w\": {dtype", new byte[0]);
        assertMentions(headerError(file), file.toString(), "not valid JSON");
    }

    @Test
    void headerThatIsNotAnObject() throws IOException {
        Path file = MalformedFiles.write(dir.resolve("array.safetensors"), "[1, 2]", new byte[0]);
        assertMentions(headerError(file), file.toString(), "JSON object", "ARRAY");
    }

    @Test
    void duplicateTensorName() throws IOException {
        String json = "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}";
        Path file = MalformedFiles.write(dir.resolve("dup.safetensors"), json, new byte[8]);
        assertMentions(headerError(file), file.toString(), "Duplicate field 'w'");
    }

    @Test
    void unsupportedDtype() throws IOException {
        Path file = MalformedFiles.write(dir.resolve("f64.safetensors"),
                "{\"w\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]}}", new byte[16]);
        assertMentions(headerError(file), file.toString(), "tensor 'w'", "'F64'", "F32, BF16, F16, I64, I32");
    }

    @Test
    void shapeThatDoesNotMatchTheByteSpan() throws IOException {
        // F32 [2, 3] needs 2 * 3 * 4 = 24 bytes, the offsets span 20
        Path file = MalformedFiles.write(dir.resolve("span.safetensors"),
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,20]}}", new byte[24]);
        assertMentions(headerError(file), file.toString(), "tensor 'w'", "[2, 3]", "needs 24 bytes", "span 20");
    }

    @Test
    void offsetsPastTheEndOfTheData() throws IOException {
        // F32 [2] at [0, 8), but only 4 data bytes follow the header
        Path file = MalformedFiles.write(dir.resolve("trunc.safetensors"),
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", new byte[4]);
        assertMentions(headerError(file), file.toString(), "tensor 'w'", "[0, 8]", "4 bytes", "truncated");
    }

    @Test
    void offsetsThatEndBeforeTheyBegin() throws IOException {
        Path file = MalformedFiles.write(dir.resolve("rev.safetensors"),
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,4]}}", new byte[8]);
        assertMentions(headerError(file), file.toString(), "tensor 'w'", "[8, 4]");
    }

    @Test
    void overlappingTensors() throws IOException {
        // a at [0, 8) and b at [4, 12) share bytes 4..7
        String json = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
        Path file = MalformedFiles.write(dir.resolve("overlap.safetensors"), json, new byte[12]);
        assertMentions(headerError(file), file.toString(), "'a' [0, 8)", "'b' [4, 12)", "overlap");
    }

    @Test
    void malformedShapeAndMissingFields() throws IOException {
        Path negative = MalformedFiles.write(dir.resolve("negshape.safetensors"),
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", new byte[4]);
        assertMentions(headerError(negative), negative.toString(), "tensor 'w'", "\"shape\"", "non-negative");
        Path noOffsets = MalformedFiles.write(dir.resolve("nooff.safetensors"),
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", new byte[4]);
        assertMentions(headerError(noOffsets), noOffsets.toString(), "tensor 'w'", "\"data_offsets\"");
        Path noDtype = MalformedFiles.write(dir.resolve("nodtype.safetensors"),
                "{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]);
        assertMentions(headerError(noDtype), noDtype.toString(), "tensor 'w'", "\"dtype\"");
        Path badMetadata = MalformedFiles.write(dir.resolve("meta.safetensors"),
                "{\"__metadata__\":{\"format\":1}}", new byte[0]);
        assertMentions(headerError(badMetadata), badMetadata.toString(), "__metadata__", "'format'");
    }

    @Test
    void missingFileAndUnknownTensor() throws IOException {
        Path missing = dir.resolve("absent.safetensors");
        assertMentions(assertThrows(IOException.class, () -> SafetensorsReader.header(missing)), missing.toString());
        Path file = MalformedFiles.write(dir.resolve("ok.safetensors"),
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}    ", new byte[4]);
        SafetensorsHeader header = SafetensorsReader.header(file); // trailing spaces are padding, not an error
        assertMentions(assertThrows(IllegalArgumentException.class, () -> header.tensor("v")),
                file.toString(), "'v'");
    }
}
