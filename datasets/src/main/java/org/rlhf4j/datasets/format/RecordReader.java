package org.rlhf4j.datasets.format;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.rlhf4j.datasets.io.BadRecordException;
import org.rlhf4j.datasets.io.StrictUtf8Lines;

/**
 * Streams the JSON objects of one data file, JSONL or a top-level JSON array, gzipped or not.
 *
 * <p>The kind is read from the content, not the name: a file whose first non-blank character is
 * {@code [} is a JSON array (a {@code .json} file holding JSONL, common on the Hub, reads as JSONL).
 * An array is read element by element with Jackson's streaming parser, so memory holds one record
 * at a time whatever the file size. A record that is not an object is a bad record at
 * {@code FILE:[INDEX] (line L)}; broken JSON inside an array ends the read with that position,
 * since nothing after it can be located.
 */
public final class RecordReader {

    /** Element by element: no trailing-token check (the next element follows), duplicate keys refused. */
    private static final ObjectMapper STREAM = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private RecordReader() {}

    /**
     * Streams the records of {@code file} to {@code consumer}; blank JSONL lines are skipped.
     *
     * @param maxRecordBytes the longest record accepted ({@code data.max_record_bytes})
     * @throws BadRecordException for a JSONL line longer than {@code maxRecordBytes} or broken JSON
     *     in an array
     * @throws IOException naming the file when it is a directory or cannot be read
     */
    public static void forEach(Path file, long maxRecordBytes, Consumer<SourceRecord> consumer) throws IOException {
        try (InputStream in = DataFiles.open(file)) {
            if (startsWithArray(in)) {
                readArray(file, in, maxRecordBytes, consumer);
            } else {
                StrictUtf8Lines.forEach(file, in, maxRecordBytes, line -> {
                    if (line.decoded() && line.text().isBlank()) {
                        return; // blank lines separate nothing in JSONL; tolerated
                    }
                    if (!line.decoded()) {
                        consumer.accept(new SourceRecord(line.where(), null, line.decodeError()));
                        return;
                    }
                    try {
                        consumer.accept(new SourceRecord(line.where(), JsonFields.object(line.text()), null));
                    } catch (InvalidRecord e) {
                        consumer.accept(new SourceRecord(line.where(), null, e.getMessage()));
                    }
                });
            }
        }
    }

    /** Whether the first character after a byte order mark and white space is {@code [}; the stream is reset. */
    private static boolean startsWithArray(InputStream in) throws IOException {
        int limit = 1 << 16;
        in.mark(limit);
        try {
            for (int i = 0; i < limit; i++) {
                int b = in.read();
                if (b == '[') {
                    return true;
                }
                boolean skippable = b == ' ' || b == '\t' || b == '\r' || b == '\n' || (i < 3 && (b == 0xEF || b == 0xBB
                        || b == 0xBF));
                if (!skippable) {
                    return false;
                }
            }
            return false;
        } finally {
            in.reset();
        }
    }

    private static void readArray(Path file, InputStream in, long maxRecordBytes, Consumer<SourceRecord> consumer)
            throws IOException {
        int index = 0;
        String where = file + ":[0]";
        try (JsonParser parser = STREAM.getFactory().createParser(in)) {
            parser.nextToken(); // the '['
            for (JsonToken token = parser.nextToken(); token != JsonToken.END_ARRAY; token = parser.nextToken()) {
                JsonLocation start = parser.currentTokenLocation();
                where = file + ":[" + index + "] (line " + start.getLineNr() + ")";
                if (token == null) {
                    throw new BadRecordException(where + ": the file ends inside the JSON array; expected a closing ]");
                }
                if (token != JsonToken.START_OBJECT) {
                    parser.skipChildren();
                    consumer.accept(new SourceRecord(where, null, "is " + kind(token) + "; expected a JSON object in"
                            + " each element of the array"));
                } else {
                    JsonNode record = STREAM.readTree(parser);
                    long bytes = parser.currentLocation().getByteOffset() - start.getByteOffset();
                    consumer.accept(bytes > maxRecordBytes
                            ? new SourceRecord(where, null, "record longer than " + maxRecordBytes
                                    + " bytes (data.max_record_bytes); expected smaller records")
                            : new SourceRecord(where, (ObjectNode) record, null));
                }
                index++;
            }
            if (parser.nextToken() != null) {
                throw new BadRecordException(file + ": text after the closing ] of the JSON array (line "
                        + parser.currentTokenLocation().getLineNr() + "); expected one JSON array, or JSONL");
            }
        } catch (JsonProcessingException e) {
            throw new BadRecordException(file + ":[" + index + "] (line " + e.getLocation().getLineNr() + "): not valid"
                    + " JSON (" + e.getOriginalMessage() + "); expected a JSON array of objects, so the rest of the"
                    + " file cannot be read");
        }
    }

    /** "an array", "a string": how a JSON value is named in messages, from its first token. */
    private static String kind(JsonToken token) {
        return switch (token) {
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            default -> "null";
        };
    }
}
