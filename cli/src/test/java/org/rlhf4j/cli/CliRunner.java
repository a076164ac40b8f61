package org.rlhf4j.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import picocli.CommandLine;

/** Runs the real CLI entry point in-process and captures what it prints. */
final class CliRunner {

    record Outcome(int exitCode, String out, String err) {}

    private CliRunner() {}

    /** Writes a seeded tiny Llama (hidden 32, 2 layers, byte tokenizer) to {@code out} with {@code rlhf4j init}. */
    static Path tinyModel(Path out) {
        Outcome o = run("init", "--config", "../configs/model/tiny.yaml", "--out", out.toString(),
                "--set", "model.hidden_size=32", "--set", "model.intermediate_size=64", "--set", "model.num_hidden_layers=2");
        if (o.exitCode() != 0) {
            throw new IllegalStateException("rlhf4j init failed: " + o.err());
        }
        return out;
    }

    static synchronized Outcome run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        StringWriter cliErr = new StringWriter();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            org.rlhf4j.core.runtime.Runtime.configureOffline();
            CommandLine cli = Main.commandLine();
            cli.setErr(new PrintWriter(cliErr, true));
            int code = cli.execute(args);
            return new Outcome(code, out.toString(StandardCharsets.UTF_8),
                    err.toString(StandardCharsets.UTF_8) + cliErr);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    /** {@code rlhf4j init} of the tiny test model (hidden 32, 2 layers) into {@code out}; returns {@code out}. */
    static java.nio.file.Path initTiny(java.nio.file.Path out) {
        Outcome init = run("init", "--config", "../configs/model/tiny.yaml", "--out", out.toString(), "--set",
                "model.hidden_size=32", "--set", "model.intermediate_size=64", "--set", "model.num_hidden_layers=2");
        if (init.exitCode() != 0) {
            throw new AssertionError("init failed: " + init.err());
        }
        return out;
    }
}
