package org.rlhf4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlhf4j.core.io.FloatTensor;
import org.rlhf4j.core.io.SafetensorsReader;
import org.rlhf4j.core.training.MetricsLog;
import org.rlhf4j.core.training.RunDirectory;

/**
 * Issue 14 through the real entry point: a diverged run fails, a changed run does not resume
 * silently, and a signalled run saves a checkpoint that resumes exactly.
 */
class RunSafetyCommandTest {

    @TempDir
    static Path dir;

    static Path model;

    @BeforeAll
    static void tinyModel() {
        model = CliRunner.tinyModel(dir.resolve("tiny"));
    }

    /** {@code rlhf4j sft} on the demo config into {@code out} over {@code data}, with {@code extra} arguments. */
    private static CliRunner.Outcome sft(Path out, Path data, String... extra) {
        List<String> args = new ArrayList<>(List.of("sft", "--config", SftCommandTest.DEMO.toString(),
                "--set", "model=" + model, "--set", "output_dir=" + out, "--set", "data.train=" + data,
                "--set", "data.eval=null", "--set", "train.save_every=1", "--set", "train.log_every=1"));
        args.addAll(List.of(extra));
        return CliRunner.run(args.toArray(String[]::new));
    }

    @Test
    void aDivergedRunExitsWithThreeAndOneLine() {
        Path out = dir.resolve("diverged");
        CliRunner.Outcome o = sft(out, Path.of("../configs/demo/data/sft-train.jsonl"), "--set", "train.max_steps=20",
                "--set", "train.lr=1e9", "--set", "train.max_nonfinite_steps=2");
        assertEquals(3, o.exitCode(), o.out() + o.err());
        assertTrue(o.err().contains("rlhf4j sft: error: training diverged"), o.err());
        assertFalse(o.err().contains("RLHF4J_DEBUG"), o.err());
        assertFalse(Files.exists(out.resolve("final")));
    }

    @Test
    void aMissingModelOrAnOutputDirThatIsAFileIsNamedWithItsKey() throws Exception {
        Path data = Path.of("../configs/demo/data/sft-train.jsonl");
        Path out = dir.resolve("no-model");
        CliRunner.Outcome missing = sft(out, data, "--set", "model=" + dir.resolve("nowhere"));
        assertEquals(1, missing.exitCode(), missing.out());
        assertTrue(missing.err().contains("model: " + dir.resolve("nowhere") + " does not exist"), missing.err());
        assertFalse(Files.exists(out.resolve("run.lock")), "the lock is released");

        Path file = Files.writeString(dir.resolve("a-file"), "");
        CliRunner.Outcome outputIsFile = sft(file, data);
        assertEquals(1, outputIsFile.exitCode(), outputIsFile.out());
        assertTrue(outputIsFile.err().contains(file + " (output_dir) is a file"), outputIsFile.err());
    }

    @Test
    void changedDataWithTheSameCountIsRefusedUnlessForced() throws Exception {
        Path data = Files.copy(Path.of("../configs/demo/data/sft-train.jsonl"), dir.resolve("train.jsonl"));
        Path out = dir.resolve("changed");
        assertEquals(0, sft(out, data, "--set", "train.max_steps=2").exitCode());
        String provenance = Files.readString(out.resolve(RunDirectory.PROVENANCE));

        Files.writeString(data, Files.readString(data).replace("\"add 0 7\"", "\"add 7 0\"")); // same 61 records
        CliRunner.Outcome refused = sft(out, data, "--set", "train.max_steps=4");
        assertEquals(1, refused.exitCode(), refused.out());
        assertTrue(refused.err().contains("cannot resume") && refused.err().contains("data file 1 sha256"),
                refused.err());
        assertEquals(provenance, Files.readString(out.resolve(RunDirectory.PROVENANCE)), "the record kept its hashes");

        CliRunner.Outcome forced = sft(out, data, "--force-resume", "--set", "train.max_steps=4");
        assertEquals(0, forced.exitCode(), forced.err());
        assertTrue(forced.out().contains("resumed from step 2"), forced.out());
        assertTrue(forced.err().contains("train.force_resume"), forced.err());
    }

    @Test
    void aChangedModelOrAMaxStepsBelowTheCheckpointIsRefused() throws Exception {
        Path data = Path.of("../configs/demo/data/sft-train.jsonl");
        Path out = dir.resolve("lowered");
        assertEquals(0, sft(out, data, "--set", "train.max_steps=3").exitCode());

        CliRunner.Outcome lowered = sft(out, data, "--set", "train.max_steps=2");
        assertEquals(1, lowered.exitCode(), lowered.out());
        assertTrue(lowered.err().contains("at step 3, past the run's 2 steps"), lowered.err());

        Path other = dir.resolve("other-model");
        assertEquals(0, CliRunner.run("init", "--config", "../configs/model/tiny.yaml", "--out", other.toString(),
                "--set", "model.hidden_size=32", "--set", "model.intermediate_size=64",
                "--set", "model.num_hidden_layers=3").exitCode());
        CliRunner.Outcome changed = sft(out, data, "--set", "train.max_steps=4", "--set", "model=" + other);
        assertEquals(1, changed.exitCode(), changed.out());
        assertTrue(changed.err().contains("starting model"), changed.err());
    }

    /** A 300-step run into {@code out}, long enough to be signalled mid-run, saving only when signalled. */
    private static List<String> longSft(Path out) {
        return List.of("sft", "--config", SftCommandTest.DEMO.toString(), "--set", "model=" + model,
                "--set", "output_dir=" + out, "--set", "data.train=../configs/demo/data/sft-train.jsonl",
                "--set", "data.eval=null", "--set", "train.max_steps=300", "--set", "train.save_every=1000",
                "--set", "train.log_every=1");
    }

    /**
     * SIGTERM to a real {@code rlhf4j sft} process (a JVM of its own, so the signal and the exit
     * code are the real ones) saves a checkpoint and exits 143, and the resume from it ends bit
     * for bit where an uninterrupted run ends.
     */
    @Test
    void sigtermMidRunSavesACheckpointAndTheResumeIsBitExact() throws Exception {
        Path straight = dir.resolve("straight");
        assertEquals(0, CliRunner.run(longSft(straight).toArray(String[]::new)).exitCode());

        Path out = dir.resolve("signalled");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=2", "-Dai.djl.pytorch.num_interop_threads=1",
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(longSft(out));
        Path log = dir.resolve("signalled.log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            Path metrics = out.resolve(MetricsLog.FILE_NAME);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!(Files.exists(metrics) && Files.readAllLines(metrics).size() >= 5)) { // mid-run
                assertTrue(process.isAlive() && System.nanoTime() < deadline, Files.readString(log));
                Thread.sleep(50);
            }
            process.destroy(); // SIGTERM
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "exits after the step's checkpoint");
        } finally {
            process.destroyForcibly();
        }
        String printed = Files.readString(log);
        assertEquals(143, process.exitValue(), printed);
        Matcher saved = Pattern.compile("saved step (\\d+) .*rerun the same command to resume").matcher(printed);
        assertTrue(saved.find(), printed);
        int step = Integer.parseInt(saved.group(1));
        assertTrue(step >= 5 && step < 300, printed);

        CliRunner.Outcome resumed = CliRunner.run(longSft(out).toArray(String[]::new));
        assertEquals(0, resumed.exitCode(), resumed.err());
        assertTrue(resumed.out().contains("resumed from step " + step), resumed.out());
        Map<String, FloatTensor> expected = SafetensorsReader.readFloats(straight.resolve("final/model.safetensors"));
        Map<String, FloatTensor> actual = SafetensorsReader.readFloats(out.resolve("final/model.safetensors"));
        assertEquals(expected.keySet(), actual.keySet());
        for (String name : expected.keySet()) {
            assertArrayEquals(expected.get(name).values(), actual.get(name).values(), 0f, name); // bit for bit
        }
    }
}
