package org.rlhf4j.core.training;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.rlhf4j.core.config.ConfigLoader;
import org.rlhf4j.core.io.AtomicFiles;
import org.rlhf4j.core.io.IoConsumer;
import org.rlhf4j.core.runtime.NumericMode;

/**
 * The records every training stage writes at the top of its output directory:
 * {@code config.resolved.yaml} (the config after defaults and {@code --set} overrides) and
 * {@code provenance.json} (what produced the run: git commit, DJL and PyTorch versions, seed,
 * SHA-256 of the data files, start time), as minGPT's {@code setup_logging} and Tribuo's
 * provenance do.
 */
public final class RunDirectory {

    /** The resolved config's file name. */
    public static final String RESOLVED_CONFIG = "config.resolved.yaml";
    /** The provenance record's file name. */
    public static final String PROVENANCE = "provenance.json";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private RunDirectory() {}

    /** The finished run's model directory inside the output directory. */
    public static final String FINAL_MODEL = "final";

    /**
     * Exports a finished run's model: {@code writer} writes it into {@code outputDir/final},
     * whose path is returned.
     */
    public static Path exportFinal(Path outputDir, IoConsumer<Path> writer) throws IOException {
        Path dir = outputDir.resolve(FINAL_MODEL);
        try {
            writer.accept(dir);
        } catch (IOException e) {
            throw CheckpointStore.notWritten(dir, "the final model", e);
        }
        return dir;
    }

    /** Writes {@code config} as YAML to {@code outputDir/config.resolved.yaml}. */
    public static void writeResolvedConfig(Path outputDir, Object config) throws IOException {
        Files.createDirectories(outputDir);
        AtomicFiles.writeString(outputDir.resolve(RESOLVED_CONFIG), ConfigLoader.toYaml(config));
    }

    /**
     * Writes {@code outputDir/provenance.json}. A resumed run rewrites it with
     * {@code resumed_from_step} set, so it always describes the process that wrote the newest
     * checkpoints.
     *
     * @param dataFiles hashed with SHA-256; missing files are recorded as such
     * @param resumedFromStep the checkpoint step this process continues from, 0 for a fresh run
     */
    public static void writeProvenance(Path outputDir, long seed, List<Path> dataFiles, int resumedFromStep)
            throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("start_time", Instant.now().toString());
        root.put("seed", seed);
        root.put("resumed_from_step", resumedFromStep);
        String commit = git("rev-parse", "HEAD");
        if (commit != null) {
            root.put("git_commit", commit);
            String status = git("status", "--porcelain", "--untracked-files=no");
            if (status != null) {
                root.put("git_dirty", !status.isEmpty());
            }
        } else {
            root.putNull("git_commit");
        }
        root.put("djl_version", ai.djl.engine.Engine.getDjlVersion());
        root.put("engine", ai.djl.engine.Engine.getInstance().getEngineName());
        root.put("pytorch_version", ai.djl.engine.Engine.getInstance().getVersion());
        root.put("java_version", System.getProperty("java.version"));
        root.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        // the same seed gives the same numbers across CPU kinds only in the reproducible mode
        root.set("numerics", JSON.valueToTree(NumericMode.current().toMap()));
        ArrayNode files = root.putArray("data_files");
        for (Path file : dataFiles) {
            ObjectNode entry = files.addObject();
            entry.put("path", file.toString());
            if (Files.isRegularFile(file)) {
                entry.put("bytes", Files.size(file));
                entry.put("sha256", sha256(file));
            } else {
                entry.put("missing", true);
            }
        }
        Files.createDirectories(outputDir);
        AtomicFiles.writeString(outputDir.resolve(PROVENANCE), JSON.writeValueAsString(root) + "\n");
    }

    /** The lower-case hex SHA-256 of a file's bytes. */
    public static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** Output of a git command in the working directory, trimmed, or null when git is unavailable. */
    private static String git(String... args) {
        String[] command = new String[args.length + 1];
        command[0] = "git";
        System.arraycopy(args, 0, command, 1, args.length);
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(false).start();
            process.getOutputStream().close();
            byte[] out = process.getInputStream().readAllBytes();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return null;
            }
            return process.exitValue() == 0 ? new String(out, StandardCharsets.UTF_8).trim() : null;
        } catch (IOException e) {
            return null; // no git on the PATH
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
