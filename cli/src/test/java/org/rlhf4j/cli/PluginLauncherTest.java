package org.rlhf4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reward plug-in jar, compiled apart from rlhf4j against its core classes and registered for
 * ServiceLoader, is used by {@code ppo} through the real launcher script with {@code --plugins}.
 * The launcher runs from a copy of the repository root whose {@code cli/target/rlhf4j-cli.jar} is a
 * manifest-only jar naming this test's classpath (the CLI jar proper is packaged after the tests).
 */
class PluginLauncherTest {

    @TempDir
    Path dir;

    @Test
    void ppoScoresWithAPluginJarGivenToTheLauncher() throws Exception {
        Path plugin = pluginJar();
        Path root = launcherRoot();
        Path model = CliRunner.tinyModel(dir.resolve("tiny"));
        Path out = dir.resolve("ppo");
        List<String> command = List.of(root.resolve("rlhf4j").toString(), "--plugins", plugin.toString(), "ppo",
                "--config", Path.of("../configs/demo/ppo-rule.yaml").toAbsolutePath().toString(),
                "--set", "model=" + model, "--set", "output_dir=" + out,
                "--set", "data.train=" + Path.of("../configs/demo/data/ppo-prompts-rule.jsonl").toAbsolutePath(),
                "--set", "train.max_steps=1", "--set", "train.batch_size=4", "--set", "ppo.mini_batch_size=4",
                "--set", "train.save_every=0", "--set", "rewards.sources.polite.class=politeness");
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("launcher.log").toFile());
        pb.environment().put("RLHF4J_NO_BUILD", "1");
        pb.environment().put("RLHF4J_JAVA_OPTS", "-Xmx2g");
        Process p = pb.start();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "the launcher did not finish");
        String log = Files.readString(dir.resolve("launcher.log"));
        assertEquals(0, p.exitValue(), log);
        String metrics = Files.readString(out.resolve("metrics.jsonl"));
        assertTrue(metrics.contains("\"objective/scores/polite\""), metrics);
    }

    /** tools/plugin-example compiled against rlhf4j-core, with its services file, as a user's build would. */
    private Path pluginJar() throws Exception {
        Path classes = Files.createDirectories(dir.resolve("plugin-classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "a JDK is needed to compile the plug-in");
        Path source = Path.of("../tools/plugin-example/src/com/example/PolitenessReward.java");
        int rc = javac.run(null, null, null, "-d", classes.toString(), "-cp", Path.of("../core/target/classes")
                .toAbsolutePath().toString(), source.toString());
        assertEquals(0, rc, "javac of the plug-in");
        Path jar = dir.resolve("my-rewards.jar");
        Path services = Path.of("../tools/plugin-example/META-INF/services/org.rlhf4j.core.reward.RewardFunction");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new JarEntry("META-INF/services/org.rlhf4j.core.reward.RewardFunction"));
            out.write(Files.readAllBytes(services));
            try (Stream<Path> files = Files.walk(classes)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace(File.separatorChar, '/')));
                    out.write(Files.readAllBytes(f));
                }
            }
        }
        return jar;
    }

    /** A root with the launcher, its numeric-mode and libtorch helpers, and a CLI "jar" whose manifest names this classpath. */
    private Path launcherRoot() throws Exception {
        Path root = dir.resolve("root");
        Files.createDirectories(root.resolve("cli/target"));
        Files.createDirectories(root.resolve("tools"));
        Files.copy(Path.of("../rlhf4j"), root.resolve("rlhf4j"));
        Files.setPosixFilePermissions(root.resolve("rlhf4j"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.copy(Path.of("../tools/numeric-mode.sh"), root.resolve("tools/numeric-mode.sh"));
        Files.copy(Path.of("../tools/libtorch.sh"), root.resolve("tools/libtorch.sh"));
        List<String> urls = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            urls.add(Path.of(entry).toAbsolutePath().toUri().toString()); // directories end with '/'
        }
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, urls.stream().collect(Collectors.joining(" ")));
        try (OutputStream out = new JarOutputStream(Files.newOutputStream(root.resolve("cli/target/rlhf4j-cli.jar")),
                manifest)) {
            // manifest only
        }
        return root;
    }
}
