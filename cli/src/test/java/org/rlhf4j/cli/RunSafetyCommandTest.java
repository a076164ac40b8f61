package org.rlhf4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlhf4j.core.training.RunDirectory;

/** Issue 14 through the real entry point: a diverged run fails, a changed run does not resume silently. */
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
}
