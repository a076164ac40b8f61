package org.rlhf4j.cli.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlhf4j.core.config.ConfigException;
import org.rlhf4j.core.runtime.Runtime;

/** A tiny init -> sft pipeline: references, skipping finished stages, --force, changed configs. */
class PipelineRunnerTest {

    @TempDir
    Path dir;

    private Path pipeline() throws Exception {
        Path data = dir.resolve("sft.jsonl");
        Files.writeString(data, """
                {"messages": [{"role": "user", "content": "What is 1+1?"}, {"role": "assistant", "content": "2"}]}
                {"messages": [{"role": "user", "content": "What is 2+2?"}, {"role": "assistant", "content": "4"}]}
                """);
        Path file = dir.resolve("pipeline.yaml");
        Files.writeString(file, """
                stages:
                  - name: base
                    kind: init
                    config:
                      tokenizer: byte
                      model: {hidden_size: 32, intermediate_size: 64, num_hidden_layers: 2, num_attention_heads: 4,
                              num_key_value_heads: 2, max_position_embeddings: 64}
                  - kind: sft
                    config:
                      model: ${base.final}
                      data: {train: DATA}
                      train: {max_steps: 2, batch_size: 2, lr: 1.0e-3, max_seq_len: 48, save_every: 0, log_every: 1}
                    set: [train.warmup_steps=1]
                """.replace("DATA", data.toString()));
        return file;
    }

    private PipelineRunner.Result run(Path file, boolean force, String... overrides) throws Exception {
        Runtime.configureOffline();
        StageRunners runners = StageRunners.defaults();
        return new PipelineRunner(runners).run(PipelineConfig.load(file, runners), dir.resolve("run"), force,
                List.of(overrides));
    }

    private static List<PipelineRunner.Status> statuses(PipelineRunner.Result r) {
        return r.stages().stream().map(PipelineRunner.StageOutcome::status).toList();
    }

    @Test
    void stagesFeedEachOtherAndFinishedOnesAreSkippedUnlessForcedOrChanged() throws Exception {
        Path file = pipeline();
        PipelineRunner.Result first = run(file, false);
        assertEquals(List.of(PipelineRunner.Status.RAN, PipelineRunner.Status.RAN), statuses(first));
        Path run = dir.resolve("run");
        assertTrue(Files.isRegularFile(run.resolve("base/final/model.safetensors")));
        assertTrue(Files.isRegularFile(run.resolve("sft/final/model.safetensors")));
        // ${base.final} became the path of the init stage's model; the stage's set: was applied
        String resolved = Files.readString(run.resolve("sft/config.resolved.yaml"));
        assertTrue(resolved.contains(run.resolve("base/final").toString()) && resolved.contains("warmup_steps: 1"), resolved);
        assertTrue(Files.isRegularFile(run.resolve("report.md")) && Files.isRegularFile(run.resolve("plots/sft.png")));

        assertEquals(List.of(PipelineRunner.Status.SKIPPED, PipelineRunner.Status.SKIPPED), statuses(run(file, false)));

        // a changed config runs that stage again, from scratch (2 -> 3 steps, not a resume at step 2)
        run(file, false, "sft.train.max_steps=3");
        assertTrue(Files.readString(run.resolve("sft/metrics.jsonl")).contains("\"step\":1,"));
        assertTrue(Files.readString(run.resolve("sft/config.resolved.yaml")).contains("max_steps: 3"));

        // --force runs everything, and a stage whose input ran runs too
        assertEquals(List.of(PipelineRunner.Status.RAN, PipelineRunner.Status.RAN),
                statuses(run(file, true, "sft.train.max_steps=3")));
    }

    @Test
    void aStageWhoseInputRanAgainRunsAgain() throws Exception {
        Path file = pipeline();
        run(file, false);
        // only the init stage's config changes; sft is finished but its model input was rewritten
        PipelineRunner.Result r = run(file, false, "base.seed=5");
        assertEquals(List.of(PipelineRunner.Status.RAN, PipelineRunner.Status.RAN), statuses(r));
    }

    @Test
    void overridesMustNameAStage() throws Exception {
        Path file = pipeline();
        ConfigException e = assertThrows(ConfigException.class, () -> run(file, false, "sfft.train.max_steps=3"));
        assertTrue(e.getMessage().contains("no stage named 'sfft'") && e.getMessage().contains("base, sft"), e.getMessage());
    }
}
