package org.rlhf4j.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.rlhf4j.datasets.format.FormatDetector;
import org.rlhf4j.datasets.format.InvalidRecord;
import org.rlhf4j.datasets.format.RecordReader;

/**
 * Reads a large top-level JSON array (Alpaca records, as such data sets are published) through the
 * same reader and format the trainers use, and shows that memory does not grow with the file: the
 * array is streamed element by element, never loaded whole.
 *
 * <p>Method: write a JSON array of {@code --mb} MiB (default 300) to a temporary file, then read it
 * with {@link RecordReader} and parse each record as an SFT conversation ({@link FormatDetector},
 * {@code data.format: auto}), keeping nothing. Resident memory (VmRSS) is sampled at each quarter of
 * the file and the peak (VmHWM) printed at the end. Run it with a heap smaller than the file
 * ({@code BENCH_JAVA_OPTS=-Xmx128m}) to show the reader cannot be holding the array.
 *
 * <p>Run: {@code BENCH_JAVA_OPTS=-Xmx128m bench/run json-stream [--mb 300]}.
 */
public final class JsonStreamBenchmark {

    private JsonStreamBenchmark() {}

    public static void main(String[] args) throws IOException {
        int mb = 300;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--mb") && i + 1 < args.length) {
                mb = Integer.parseInt(args[++i]);
            } else {
                throw new IllegalArgumentException("usage: bench/run json-stream [--mb N (300)]");
            }
        }
        Path file = Files.createTempFile("rlhf4j-json-stream", ".json");
        try {
            long bytes = write(file, (long) mb << 20);
            System.out.printf(Locale.ROOT, "file: %s, %.0f MiB JSON array; max heap %.0f MiB; RSS before reading %.0f MiB%n",
                    file, bytes / 1048576.0, Runtime.getRuntime().maxMemory() / 1048576.0, ProcessMemory.residentMib());
            read(file, bytes);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** Writes Alpaca records of about 1 KiB each until the file holds {@code target} bytes; returns its size. */
    private static long write(Path file, long target) throws IOException {
        String filler = "lorem ipsum dolor sit amet ".repeat(30);
        long written = 0;
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            out.write("[\n");
            for (int i = 0; written < target; i++) {
                String record = (i == 0 ? "" : ",\n") + "{\"instruction\": \"Summarise text " + i + ".\", \"input\": \""
                        + filler + "\", \"output\": \"Summary " + i + ": " + filler.substring(0, 100) + "\"}";
                out.write(record);
                written += record.length();
            }
            out.write("\n]\n");
        }
        return Files.size(file);
    }

    private static void read(Path file, long bytes) throws IOException {
        FormatDetector formats = new FormatDetector("auto", Map.of(), Map.of());
        long[] count = {0};
        long[] chars = {0};
        long estimate = bytes / 1000; // records are about 1 KB: sample RSS at each quarter
        long start = System.nanoTime();
        RecordReader.forEach(file, 1L << 20, record -> {
            try {
                chars[0] += formats.conversation(record.record(), record.where()).get(0).content().length();
            } catch (InvalidRecord e) {
                throw new IllegalStateException(record.where() + ": " + e.getMessage(), e);
            }
            if (++count[0] % Math.max(1, estimate / 4) == 0) {
                System.out.printf(Locale.ROOT, "  %,d records read, RSS %.0f MiB, heap used %.0f MiB%n", count[0],
                        ProcessMemory.residentMib(), (Runtime.getRuntime().totalMemory()
                                - Runtime.getRuntime().freeMemory()) / 1048576.0);
            }
        });
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(Locale.ROOT, "read %,d records (%s) in %.1f s, %.0f MiB/s; peak RSS %.0f MiB%n", count[0],
                formats.describe(), seconds, bytes / 1048576.0 / seconds, ProcessMemory.peakResidentMib());
    }
}
