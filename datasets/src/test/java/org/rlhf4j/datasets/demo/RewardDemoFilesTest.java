package org.rlhf4j.datasets.demo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RewardDemoFilesTest {

    /** The shipped demo data, from the module directory Surefire runs in. */
    static final Path SHIPPED = Path.of("../configs/demo/data");
    /** Shipped files written by hand, which no generator writes. */
    static final Set<String> HAND_WRITTEN = Set.of("sft-train.jsonl", "sft-eval.jsonl", "dpo-train.jsonl",
            "dpo-eval.jsonl", "ppo-prompts.jsonl", "ppo-prompts-rule.jsonl", "ppo-eval-prompts.jsonl");

    @TempDir
    Path dir;

    @Test
    void regenerationIsByteIdenticalToEveryShippedGeneratedFile() throws Exception {
        List<Path> written = RewardDemoFiles.write(dir);

        Set<String> generated = new TreeSet<>();
        for (Path file : written) {
            String name = file.getFileName().toString();
            generated.add(name);
            assertArrayEquals(Files.readAllBytes(SHIPPED.resolve(name)), Files.readAllBytes(file), name);
        }
        // a new shipped file must come from the generator or be declared hand-written here
        Set<String> shipped = new TreeSet<>();
        try (Stream<Path> files = Files.list(SHIPPED)) {
            files.map(f -> f.getFileName().toString()).forEach(shipped::add);
        }
        Set<String> accounted = new TreeSet<>(generated);
        accounted.addAll(HAND_WRITTEN);
        assertEquals(accounted, shipped);
    }

    @Test
    void linesAreWrittenAsPythonsJsonDumpsWritesThem() {
        // json.dumps({"prompt": "caf\u00e9 \"q\" a\\b\n\x01\x7f\U0001F600", ..., "condition": "helpful"}) in Python 3.11
        RewardDemoPair pair = new RewardDemoPair("caf\u00e9 \"q\" a\\b\n\u0001\u007f\uD83D\uDE00", "7", "I don't know.",
                "better", null);
        String expected = "{\"prompt\": \"caf\\u00e9 \\\"q\\\" a\\\\b\\n\\u0001\\u007f\\ud83d\\ude00\", \"chosen\": \"7\", "
                + "\"rejected\": \"I don't know.\", \"preference\": \"better\"";
        assertEquals(expected + "}", pair.json());
        assertEquals(expected + ", \"condition\": \"helpful\"}", pair.withCondition("helpful").json());
    }
}
