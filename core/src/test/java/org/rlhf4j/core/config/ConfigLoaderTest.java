package org.rlhf4j.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    record Train(int maxSteps, double lr, String schedule) {}

    record Stage(String outputDir, long seed, Train train) {}

    @TempDir
    Path dir;

    private Path write(String yaml) throws IOException {
        Path f = dir.resolve("stage.yaml");
        Files.writeString(f, yaml);
        return f;
    }

    @Test
    void bindsSnakeCaseKeysAndAppliesOverrides() throws IOException {
        Path f = write("output_dir: out\nseed: 3\ntrain:\n  max_steps: 10\n  lr: 1.0e-3\n  schedule: cosine\n");
        Stage s = ConfigLoader.load(f, List.of("train.max_steps=20", "train.schedule=linear"), Stage.class);
        assertEquals(new Stage("out", 3, new Train(20, 1e-3, "linear")), s);
    }

    @Test
    void aDuplicateKeyIsRefusedWithItsLine() throws IOException {
        Path f = write("output_dir: out\nseed: 3\ntrain:\n  max_steps: 10\n  lr: 1.0e-3\n  lr: 1.0e-2\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f, List.of(), Stage.class));
        assertTrue(e.getMessage().startsWith(f + ":6: ") && e.getMessage().contains("'lr'"), e.getMessage());
    }

    @Test
    void overrideCanCreateMissingSection() throws IOException {
        Path f = write("output_dir: out\nseed: 3\n");
        Stage s = ConfigLoader.load(f, List.of("train.max_steps=5", "train.lr=0.1", "train.schedule=constant"),
                Stage.class);
        assertEquals(5, s.train().maxSteps());
    }

    @Test
    void unknownKeyNamesPathAndSuggestsNearest() throws IOException {
        Path f = write("output_dir: out\nseed: 3\ntrain:\n  max_step: 10\n  lr: 0.1\n  schedule: cosine\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f, List.of(), Stage.class));
        assertTrue(e.getMessage().contains("unknown key 'train.max_step'"), e.getMessage());
        assertTrue(e.getMessage().contains("did you mean 'train.max_steps'"), e.getMessage());
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
    }

    @Test
    void unknownKeyFromOverrideIsAlsoAnError() throws IOException {
        Path f = write("output_dir: out\nseed: 3\n");
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(f, List.of("sed=4"), Stage.class));
        assertTrue(e.getMessage().contains("unknown key 'sed'") && e.getMessage().contains("'seed'"), e.getMessage());
    }

    @Test
    void wrongTypeNamesKeyAndExpectedType() throws IOException {
        Path f = write("output_dir: out\nseed: 3\ntrain:\n  max_steps: many\n  lr: 0.1\n  schedule: cosine\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f, List.of(), Stage.class));
        assertTrue(e.getMessage().contains("train.max_steps"), e.getMessage());
    }

    @Test
    void badYamlNamesLine() throws IOException {
        Path f = write("output_dir: out\nseed: [3\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f, List.of(), Stage.class));
        assertTrue(e.getMessage().startsWith(f + ":"), e.getMessage());
    }

    @Test
    void malformedOverrideIsRejected() throws IOException {
        Path f = write("seed: 1\n");
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(f, List.of("seed"), Stage.class));
        assertTrue(e.getMessage().contains("expected key.path=value"), e.getMessage());
    }

    @Test
    void editDistance() {
        assertEquals(1, NearestName.editDistance("max_step", "max_steps"));
        assertEquals(3, NearestName.editDistance("kitten", "sitting"));
        assertEquals(null, NearestName.of("zzzzzzzz", List.of("seed", "lr")));
    }

    @Test
    void aLatin1ConfigNamesTheLineAndByteOffset() throws IOException {
        Path f = dir.resolve("latin1.yaml");
        // "output_dir: caf\u00e9" saved as Latin-1: 0xE9 is not UTF-8
        Files.write(f, "seed: 3\noutput_dir: caf\u00e9\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f, List.of(), Stage.class));
        assertEquals(f + ":2: not UTF-8 text: byte 0xE9 at byte offset 23 is not valid UTF-8 (was the file saved as"
                + " Latin-1 or Windows-1252?); save it as UTF-8", e.getMessage());
    }

    @Test
    void anOutOfRangeSeedNamesTheKey() throws IOException {
        for (String seed : List.of("99999999999999999999", "1.5", "-99999999999999999999")) {
            Path f = write("output_dir: out\nseed: " + seed + "\n");
            ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f, List.of(), Stage.class));
            assertTrue(e.getMessage().startsWith(f + ": key 'seed': "), e.getMessage());
            assertTrue(seed.equals("1.5") || e.getMessage().endsWith("value out of range; expected an integer from"
                    + " -9223372036854775808 to 9223372036854775807"), e.getMessage());
        }
    }
}
