package org.rlhf4j.datasets.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.CoderResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Reads a file line by line, decoding each line strictly as UTF-8: malformed or unmappable bytes
 * are reported on the {@link TextLine} (with the byte offset within the line) instead of being
 * replaced by U+FFFD, so that bad input is named rather than silently trained on.
 *
 * <p>Lines end at {@code \n}; a {@code \r} before it is dropped, and so is a UTF-8 byte order mark
 * at the start of the file.
 */
public final class StrictUtf8Lines {

    private StrictUtf8Lines() {}

    /** The longest line read when the caller gives no limit: 64 MiB. */
    public static final long DEFAULT_MAX_LINE_BYTES = 64L << 20;

    /** Streams the lines of {@code file} to {@code consumer} in order, each at most {@link #DEFAULT_MAX_LINE_BYTES}. */
    public static void forEach(Path file, Consumer<TextLine> consumer) throws IOException {
        forEach(file, DEFAULT_MAX_LINE_BYTES, consumer);
    }

    /**
     * Streams the lines of {@code file} to {@code consumer} in order.
     *
     * @param maxLineBytes the longest line accepted ({@code data.max_record_bytes}); reading stops
     *     at the first longer one, so memory stays bounded even on a file without line breaks
     * @throws BadRecordException {@code FILE:LINE} of a line longer than {@code maxLineBytes}
     * @throws IOException naming the file when it is a directory or cannot be read
     */
    public static void forEach(Path file, long maxLineBytes, Consumer<TextLine> consumer) throws IOException {
        if (Files.isDirectory(file)) {
            throw new IOException(file + " is a directory; expected a data file (JSONL, or .txt for pretraining)");
        }
        try (InputStream in = Files.newInputStream(file)) {
            forEach(file, in, maxLineBytes, consumer);
        }
    }

    /**
     * Streams the lines of {@code in} (the bytes of {@code file}, possibly decompressed) to
     * {@code consumer}; {@code file} names the lines. The stream is not closed.
     */
    public static void forEach(Path file, InputStream in, long maxLineBytes, Consumer<TextLine> consumer)
            throws IOException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        byte[] buffer = new byte[1 << 16];
        int number = 0;
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
            int from = 0;
            for (int i = 0; i < n; i++) {
                if (buffer[i] == '\n') {
                    append(line, buffer, from, i - from, maxLineBytes, file, number + 1);
                    consumer.accept(decode(file, ++number, line.toByteArray(), decoder));
                    line.reset();
                    from = i + 1;
                }
            }
            append(line, buffer, from, n - from, maxLineBytes, file, number + 1);
        }
        if (line.size() > 0) {
            consumer.accept(decode(file, ++number, line.toByteArray(), decoder));
        }
    }

    /** Adds {@code length} bytes to the line being read, unless that makes it longer than the limit. */
    private static void append(ByteArrayOutputStream line, byte[] bytes, int from, int length, long maxLineBytes,
            Path file, int number) {
        if (line.size() + (long) length > maxLineBytes) {
            throw new BadRecordException(file + ":" + number + ": record longer than " + maxLineBytes
                    + " bytes (data.max_record_bytes) without a line break; expected one JSON object per line (JSONL)");
        }
        line.write(bytes, from, length);
    }

    private static TextLine decode(Path file, int number, byte[] bytes, CharsetDecoder decoder) {
        int length = bytes.length;
        if (length > 0 && bytes[length - 1] == '\r') {
            length--;
        }
        int start = 0;
        if (number == 1 && length >= 3 && (bytes[0] & 0xFF) == 0xEF && (bytes[1] & 0xFF) == 0xBB
                && (bytes[2] & 0xFF) == 0xBF) {
            start = 3;
        }
        ByteBuffer in = ByteBuffer.wrap(bytes, start, length - start);
        CharBuffer out = CharBuffer.allocate(length - start + 1); // UTF-8 gives at most one char per byte
        CoderResult result = decoder.reset().decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            // on error the input buffer stands at the first bad byte
            return new TextLine(file, number, null, "not valid UTF-8 (" + result.length() + " malformed byte(s) at byte "
                    + (in.position() - start + 1) + " of the line); expected UTF-8 text");
        }
        return new TextLine(file, number, out.flip().toString(), null);
    }
}
