package org.rlhf4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's reward plug-in, built by Maven as its own project ({@code examples/reward-plugin},
 * depending on {@code rlhf4j-core} with scope provided; the cli module's maven-invoker-plugin builds
 * it against a build-local repository in the {@code verify} phase), is used by {@code ppo} through
 * the real launcher and packaged CLI with {@code --plugins}: the run finishes, and every sampled
 * response's {@code polite} score is the plug-in's rule applied to it.
 */
class RewardPluginProjectIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void ppoScoresWithThePluginJarBuiltByMaven() throws Exception {
        Path plugin = Path.of(System.getProperty("rlhf4j.plugin.jar", "target/it/reward-plugin/target/my-rewards-1.0.jar"));
        assertTrue(Files.isRegularFile(plugin), "the invoker did not build " + plugin);
        Path launcher = Path.of("../rlhf4j").toAbsolutePath().normalize();
        assertTrue(Files.isRegularFile(Path.of("target/rlhf4j-cli.jar")), "the CLI jar is packaged before verify");
        Path model = CliRunner.tinyModel(dir.resolve("tiny"));
        Path out = dir.resolve("ppo");
        List<String> command = List.of(launcher.toString(), "--plugins", plugin.toAbsolutePath().toString(), "ppo",
                "--config", Path.of("../configs/demo/ppo-rule.yaml").toAbsolutePath().toString(),
                "--set", "model=" + model, "--set", "output_dir=" + out,
                "--set", "data.train=" + Path.of("../configs/demo/data/ppo-prompts-rule.jsonl").toAbsolutePath(),
                "--set", "train.max_steps=1", "--set", "train.batch_size=4", "--set", "ppo.mini_batch_size=4",
                "--set", "ppo.sample_every=1", "--set", "train.save_every=0",
                "--set", "rewards.sources.polite.class=politeness");
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("launcher.log").toFile());
        pb.environment().put("RLHF4J_NO_BUILD", "1"); // the jar under test, as packaged, never a rebuild
        pb.environment().put("RLHF4J_JAVA_OPTS", "-Xmx2g");
        pb.environment().remove("RLHF4J_CLASSPATH");
        Process p = pb.start();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "the launcher did not finish");
        String log = Files.readString(dir.resolve("launcher.log"));
        assertEquals(0, p.exitValue(), log);
        String metrics = Files.readString(out.resolve("metrics.jsonl"));
        assertTrue(metrics.contains("\"objective/scores/polite\""), metrics);
        List<String> samples = Files.readAllLines(out.resolve("samples.jsonl"));
        assertFalse(samples.isEmpty(), "no samples written");
        for (String line : samples) {
            JsonNode sample = JSON.readTree(line);
            String response = sample.get("response").asText().toLowerCase();
            double expected = response.contains("please") || response.contains("thank") ? 1 : 0;
            assertEquals(expected, sample.get("scores").get("polite").asDouble(), 0.0, line);
        }
    }
}
