package org.rlhf4j.core.training;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.rlhf4j.core.io.AtomicFiles;

/**
 * {@code metrics.jsonl}: one JSON object per logged step, {@code {"step": N, ...}}, each line
 * flushed as it is written so that a crash loses at most the line being written.
 *
 * <p>Opening for a run that resumes from step {@code S} first rewrites the file without the lines
 * of steps after {@code S} (they belong to the part of the interrupted run that the resume
 * repeats) and without a torn last line, so the file reads as one uninterrupted run. A fresh run
 * ({@code S = 0}) starts an empty file. Keys are TRL's names where TRL has the quantity
 * ({@code loss}, {@code eval_loss}, {@code learning_rate}, {@code grad_norm}, {@code epoch},
 * {@code num_tokens}).
 */
public final class MetricsLog implements AutoCloseable {

    /** The file name in the output directory. */
    public static final String FILE_NAME = "metrics.jsonl";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final BufferedWriter out;

    private MetricsLog(BufferedWriter out) {
        this.out = out;
    }

    /** Opens {@code file} for appending after dropping every line whose step is after {@code resumedStep}. */
    public static MetricsLog open(Path file, int resumedStep) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        if (Files.exists(file)) {
            List<String> kept = new ArrayList<>();
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                JsonNode node;
                try {
                    node = JSON.readTree(line);
                } catch (IOException torn) {
                    continue; // a line cut short by the interruption
                }
                if (node != null && node.has("step") && node.get("step").asInt() <= resumedStep) {
                    kept.add(line);
                }
            }
            AtomicFiles.writeString(file, kept.isEmpty() ? "" : String.join("\n", kept) + "\n");
        }
        return new MetricsLog(Files.newBufferedWriter(file, StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND));
    }

    /** Appends {@code {"step": step, ...values}} as one line and flushes it. */
    public void log(int step, Map<String, ?> values) throws IOException {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("step", step);
        line.putAll(values);
        out.write(JSON.writeValueAsString(line));
        out.write('\n');
        out.flush();
    }

    /** Reads every line of a metrics file (for tests and reports). */
    public static List<JsonNode> read(Path file) throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                lines.add(JSON.readTree(line));
            }
        }
        return lines;
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
