package org.rlhf4j.cli.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.rlhf4j.core.config.ConfigLoader;
import org.rlhf4j.dpo.DpoConfig;
import org.rlhf4j.ppo.PpoConfig;
import org.rlhf4j.ppo.rs.RsConfig;
import org.rlhf4j.reward.RewardConfig;
import org.rlhf4j.sft.SftConfig;

/**
 * Every file of {@code configs/recipes/} (and of its {@code ablations/}, which need no eval stage) loads as a
 * pipeline, and each training stage's inline config binds to that stage's config record (keys known, values
 * valid), as the stage's runner will bind it.
 */
class RecipesTest {

    private static final Path RECIPES = Path.of("../configs/recipes");
    private static final Map<String, Class<?>> CONFIGS = Map.of("pretrain", SftConfig.class, "sft", SftConfig.class,
            "rm", RewardConfig.class, "dpo", DpoConfig.class, "ppo", PpoConfig.class, "rs", RsConfig.class);

    @Test
    void everyRecipeLoadsAndEveryStageConfigBinds() throws IOException {
        StageRunners runners = StageRunners.defaults();
        List<Path> files;
        try (Stream<Path> list = Files.list(RECIPES)) {
            files = list.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertEquals(List.of("instructgpt.yaml", "internlm2-cool.yaml", "llama2-chat.yaml", "llama3-post.yaml"),
                files.stream().map(p -> p.getFileName().toString()).toList());
        List<Path> withAblations = new ArrayList<>(files);
        try (Stream<Path> list = Files.list(RECIPES.resolve("ablations"))) {
            withAblations.addAll(list.filter(p -> p.toString().endsWith(".yaml")).sorted().toList());
        }
        for (Path file : withAblations) {
            PipelineConfig pipeline = PipelineConfig.load(file, runners);
            List<String> kinds = new ArrayList<>();
            for (PipelineConfig.Stage stage : pipeline.stages()) {
                kinds.add(stage.kind());
                Class<?> type = CONFIGS.get(stage.kind());
                if (type != null) {
                    ObjectNode tree = stage.tree().deepCopy();
                    tree.put("output_dir", "runs/x/" + stage.name());
                    ConfigLoader.bind(tree, type, file + ": " + stage.name());
                }
            }
            assertEquals("data", kinds.get(0), file.toString());
            assertTrue(kinds.contains("eval") || file.getParent().endsWith("ablations"), file.toString());
        }
    }
}
