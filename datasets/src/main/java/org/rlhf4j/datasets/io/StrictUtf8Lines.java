package org.rlhf4j.datasets.io;

import java.io.BufferedInputStream;
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

    /** Streams the lines of {@code file} to {@code consumer} in order. */
    public static void forEach(Path file, Consumer<TextLine> consumer) throws IOException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int number = 0;
            int b;
            boolean any = false;
            while ((b = in.read()) >= 0) {
                any = true;
                if (b == '\n') {
                    consumer.accept(decode(file, ++number, line.toByteArray(), decoder));
                    line.reset();
                    any = false;
                } else {
                    line.write(b);
                }
            }
            if (any) {
                consumer.accept(decode(file, ++number, line.toByteArray(), decoder));
            }
        }
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
