package org.rlhf4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.NoSuchFileException;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.rlhf4j.core.config.ConfigException;
import org.rlhf4j.core.config.UserException;
import org.rlhf4j.core.training.TrainingDivergedException;
import org.rlhf4j.datasets.io.BadRecordException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The CLI's error handler, as documented in the README: a user error is one line and exit 1 (3 for
 * a diverged run), an I/O error names its path, and anything else is a bug shown with its stack
 * trace and exit 70 — an {@link IllegalArgumentException} from inside the library included.
 */
class UserErrorsTest {

    @Command(name = "fail")
    static final class Fail implements Callable<Integer> {
        final RuntimeException toThrow;
        final Exception checked;

        Fail(RuntimeException toThrow, Exception checked) {
            this.toThrow = toThrow;
            this.checked = checked;
        }

        @Override
        public Integer call() throws Exception {
            if (checked != null) {
                throw checked;
            }
            throw toThrow;
        }
    }

    record Outcome(int exitCode, String err) {}

    private static Outcome run(RuntimeException toThrow, Exception checked) {
        CommandLine cli = Main.commandLine();
        cli.addSubcommand("fail", new Fail(toThrow, checked));
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute("fail");
        return new Outcome(code, err.toString());
    }

    private static void assertUserError(Outcome o, int exitCode, String line) {
        assertEquals(exitCode, o.exitCode(), o.err());
        assertEquals("rlhf4j fail: error: " + line, o.err().strip(), "one line, no stack trace");
    }

    @Test
    void userErrorsAreOneLineWithExitOne() {
        assertUserError(run(new ConfigException("sft.yaml: unknown key 'train.max_step'"), null), 1,
                "sft.yaml: unknown key 'train.max_step'");
        assertUserError(run(new BadRecordException("data.jsonl:3: not valid JSON"), null), 1,
                "data.jsonl:3: not valid JSON");
        assertUserError(run(new UserException("--batch-size must be at least 1, got 0"), null), 1,
                "--batch-size must be at least 1, got 0");
        assertUserError(run(null, new NoSuchFileException("runs/missing/config.json")), 1,
                "runs/missing/config.json: no such file or directory");
    }

    @Test
    void aDivergedRunExitsWithThree() {
        assertUserError(run(new TrainingDivergedException("training diverged: 10 non-finite steps"), null), 3,
                "training diverged: 10 non-finite steps");
    }

    @Test
    void anInternalIllegalArgumentIsABugWithItsTrace() {
        Outcome o = run(new IllegalArgumentException("normaliser must be finite and > 0, got NaN"), null);
        assertEquals(UserErrors.BUG_EXIT_CODE, o.exitCode());
        assertTrue(o.err().contains("a bug in rlhf4j"), o.err());
        assertTrue(o.err().contains("normaliser must be finite"), o.err());
        assertTrue(o.err().contains("\tat org.rlhf4j.cli.UserErrorsTest."), "stack trace: " + o.err());
    }

    @Test
    void aNullPointerIsABugWithItsTrace() {
        Outcome o = run(new NullPointerException(), null);
        assertEquals(70, o.exitCode());
        assertTrue(o.err().contains("a bug in rlhf4j") && o.err().contains("NullPointerException"), o.err());
        assertTrue(o.err().contains("\tat "), o.err());
    }

    @Test
    void usageErrorsExitWithTwo() {
        CommandLine cli = Main.commandLine();
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err, true));
        assertEquals(2, cli.execute("sft", "--no-such-flag"));
        assertFalse(err.toString().contains("\tat "), err.toString());
    }
}
