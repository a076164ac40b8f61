package org.rlhf4j.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a benchmark's measurement in a JVM of its own (this classpath and JVM options), because a
 * process's peak resident set size (VmHWM) never falls: one process per measured configuration.
 * The child reports by printing one {@code RESULT {json}} line on standard output.
 */
final class ChildJvm {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ChildJvm() {}

    /** Runs {@code main} with {@code args}; returns its RESULT object, or throws with the end of its standard error. */
    static JsonNode run(Class<?> main, List<String> args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(args);
        Path errors = Files.createTempFile("bench-child", ".err"); // progress bars and logs; shown on failure
        Process process = new ProcessBuilder(command).redirectError(errors.toFile()).start();
        JsonNode result = null;
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (line.startsWith("RESULT ")) {
                    result = JSON.readTree(line.substring(7));
                }
            }
        }
        int exit = process.waitFor();
        if (exit != 0 || result == null) {
            List<String> lines = Files.readAllLines(errors);
            String tail = String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
            Files.delete(errors);
            throw new IllegalStateException(main.getSimpleName() + " " + args + " failed (exit " + exit + "):\n" + tail);
        }
        Files.delete(errors);
        return result;
    }
}
