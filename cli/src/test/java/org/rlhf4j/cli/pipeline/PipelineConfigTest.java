package org.rlhf4j.cli.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlhf4j.core.config.ConfigException;

/** Reading pipeline files and resolving {@code ${stage.output}} references. */
class PipelineConfigTest {

    @TempDir
    Path dir;

    private PipelineConfig load(String yaml) throws Exception {
        Path file = dir.resolve("p.yaml");
        Files.writeString(file, yaml);
        return PipelineConfig.load(file, StageRunners.defaults());
    }

    private String error(String yaml) {
        return assertThrows(ConfigException.class, () -> load(yaml)).getMessage();
    }

    @Test
    void stagesAreReadInlineOrFromAFileWithNamesDefaultingToTheKind() throws Exception {
        Path stageFile = dir.resolve("sft.yaml");
        Files.writeString(stageFile, "model: m\ntrain: {max_steps: 5}\n");
        PipelineConfig p = load("out: runs/x\nstages:\n  - kind: init\n    config: {tokenizer: byte}\n"
                + "  - kind: sft\n    config: " + stageFile + "\n    set: [train.max_steps=7]\n");
        assertEquals("runs/x", p.out());
        assertEquals("init", p.stages().get(0).name());
        assertEquals("byte", p.stages().get(0).tree().get("tokenizer").asText());
        assertEquals(7, p.stages().get(1).tree().get("train").get("max_steps").asInt());
    }

    @Test
    void mistakesAreNamedWithASuggestion() {
        assertTrue(error("stages:\n  - kind: stf\n").contains("unknown kind 'stf'; did you mean 'sft'?"));
        assertTrue(error("stages:\n  - kind: sft\n    confg: {}\n").contains("unknown key 'stages[0].confg'; did you mean 'stages[0].config'?"));
        assertTrue(error("stages:\n  - kind: sft\n  - kind: sft\n").contains("a second stage named 'sft'"));
        assertTrue(error("stage: []\n").contains("did you mean 'stages'?"));
        assertTrue(error("stages: []\n").contains("non-empty list"));
    }

    @Test
    void referencesResolveToEarlierOutputsAnywhereInAString() {
        ObjectNode tree = new ObjectMapper().createObjectNode();
        tree.put("model", "${sft.final}");
        tree.putObject("data").put("train", "${data.sft_train}").put("note", "from ${sft.dir}/x");
        tree.putArray("list").add("${sft.final}");
        Map<String, Map<String, Path>> outputs = new LinkedHashMap<>();
        outputs.put("data", Map.of("sft_train", Path.of("run/data/sft-train.jsonl")));
        outputs.put("sft", Map.of("final", Path.of("run/sft/final"), "dir", Path.of("run/sft")));
        Set<String> used = References.resolve(tree, outputs, "stage x");
        assertEquals(Set.of("sft", "data"), used);
        assertEquals("run/sft/final", tree.get("model").asText());
        assertEquals("run/data/sft-train.jsonl", tree.get("data").get("train").asText());
        assertEquals("from run/sft/x", tree.get("data").get("note").asText());
        assertEquals("run/sft/final", tree.get("list").get(0).asText());
    }

    @Test
    void aReferenceToALaterOrUnknownStageOrOutputIsAnError() {
        Map<String, Map<String, Path>> outputs = Map.of("sft", Map.of("final", Path.of("f")));
        ObjectNode later = new ObjectMapper().createObjectNode().put("model", "${ppo.final}");
        assertTrue(assertThrows(ConfigException.class, () -> References.resolve(later, outputs, "stage eval"))
                .getMessage().contains("no earlier stage named 'ppo'"));
        ObjectNode output = new ObjectMapper().createObjectNode().put("model", "${sft.model}");
        assertTrue(assertThrows(ConfigException.class, () -> References.resolve(output, outputs, "stage eval"))
                .getMessage().contains("has no output 'model' (it has: final)"));
        ObjectNode malformed = new ObjectMapper().createObjectNode().put("model", "${sft}");
        assertTrue(assertThrows(ConfigException.class, () -> References.resolve(malformed, outputs, "stage eval"))
                .getMessage().contains("${stage.output}"));
    }
}
