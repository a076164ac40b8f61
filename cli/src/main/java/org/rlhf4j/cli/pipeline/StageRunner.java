package org.rlhf4j.cli.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Runs one kind of pipeline stage ({@code init}, {@code sft}, ...): a small adapter from a
 * resolved config tree to the stage's own entry point. Each kind is one class; add a kind to
 * {@link StageRunners#defaults()}.
 */
public interface StageRunner {

    /** The {@code kind:} this runner handles. */
    String kind();

    /**
     * The outputs later stages may refer to as {@code ${stage.name}}, under {@code stageDir}
     * ({@code dir} is added for every stage by the pipeline). Training stages give {@code final}
     * and {@code metrics}.
     */
    Map<String, Path> outputs(Path stageDir);

    /** Whether a finished run is already in {@code stageDir}: by default, its {@code final/} exists. */
    default boolean isComplete(Path stageDir) {
        return Files.isDirectory(stageDir.resolve("final"));
    }

    /**
     * Runs the stage with its config (inline or read from its file, overrides applied, references
     * resolved); every output goes under {@code stageDir}, which the runner sets as the config's
     * {@code output_dir} where the stage has one.
     */
    void run(ObjectNode config, Path stageDir, String source) throws Exception;
}
