package org.rlhf4j.cli.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlhf4j.core.runtime.Runtime;

/** init -> rs -> sft on ${rs.final}: the rs stage's outputs feed a later stage; a re-run skips it. */
class RsStageTest {

    @TempDir
    Path dir;

    @Test
    void bestOfNDataFeedsAnSftStage() throws Exception {
        Path prompts = Files.writeString(dir.resolve("prompts.jsonl"), """
                {"prompt": "What is 1+1?", "answer": "2"}
                {"prompt": "What is 2+2?", "answer": "4", "condition": "helpful"}
                {"prompt": "What is 3+3?", "answer": "6"}
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
                  - name: best
                    kind: rs
                    config:
                      model: ${base.final}
                      device: cpu
                      data:
                        train: PROMPTS
                      rs: {num_samples: 3, max_new_tokens: 6, batch_size: 2, pairs: true}
                      rewards:
                        sources:
                          vowel: {type: regex, options: {pattern: '[aeiou]'}}
                          right: {type: exact_answer, weight: 2.0, options: {contains: true}}
                  - name: tuned
                    kind: sft
                    config:
                      model: ${base.final}
                      data:
                        train: ${best.final}
                      train: {max_steps: 1, batch_size: 2, lr: 1.0e-3, max_seq_len: 48, save_every: 0, log_every: 1}
                """.replace("PROMPTS", prompts.toString()));
        Runtime.configureOffline();
        StageRunners runners = StageRunners.defaults();
        Path run = dir.resolve("run");
        PipelineRunner.Result result = new PipelineRunner(runners).run(PipelineConfig.load(file, runners), run, false,
                List.of());
        assertEquals(List.of(PipelineRunner.Status.RAN, PipelineRunner.Status.RAN, PipelineRunner.Status.RAN),
                result.stages().stream().map(PipelineRunner.StageOutcome::status).toList());
        assertEquals(3, Files.readAllLines(run.resolve("best/final/sft.jsonl")).size());
        assertEquals(9, Files.readAllLines(run.resolve("best/samples.jsonl")).size());
        assertTrue(Files.isRegularFile(run.resolve("best/summary.json")));
        assertTrue(Files.isRegularFile(run.resolve("best/pairs.jsonl")));
        assertTrue(Files.readString(run.resolve("tuned/config.resolved.yaml"))
                .contains(run.resolve("best/final/sft.jsonl").toString()));
        assertTrue(Files.isRegularFile(run.resolve("tuned/final/model.safetensors")));

        PipelineRunner.Result again = new PipelineRunner(runners).run(PipelineConfig.load(file, runners), run, false,
                List.of());
        assertEquals(PipelineRunner.Status.SKIPPED, again.stages().get(1).status());
    }
}
