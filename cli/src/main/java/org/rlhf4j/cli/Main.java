package org.rlhf4j.cli;

import java.io.PrintWriter;
import org.rlhf4j.core.runtime.Runtime;
import org.rlhf4j.core.training.TrainingInterruptedException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code rlhf4j} command: one subcommand per stage and tool. */
@Command(
        name = "rlhf4j",
        mixinStandardHelpOptions = true,
        versionProvider = VersionInfo.class,
        description = "Align Llama-family language models: SFT, reward models, PPO and DPO on DJL.",
        subcommands = {
            InitCommand.class,
            PretrainCommand.class,
            SftCommand.class,
            DpoCommand.class,
            OfflinePreferenceCommands.Simpo.class,
            OfflinePreferenceCommands.Orpo.class,
            OfflinePreferenceCommands.Kto.class,
            PpoCommand.class,
            GrpoCommand.class,
            RmCommand.class,
            RsCommand.class,
            GenerateCommand.class,
            LogprobsCommand.class,
            ScoreCommand.class,
            ExportCommand.class,
            EvalCommand.class,
            PlotCommand.class,
            PipelineCommand.class,
            DemoCommand.class,
            DataCommand.class,
            PlanCommand.class,
            DoctorCommand.class,
            CommandLine.HelpCommand.class
        },
        footer = {
            "",
            "Examples:",
            "  rlhf4j init --config configs/model/tiny.yaml --out runs/tiny",
            "  rlhf4j sft --config configs/demo/sft.yaml",
            "  rlhf4j ppo --config configs/demo/ppo-rule.yaml",
            "  rlhf4j rm --config configs/demo/rm-helpful.yaml",
            "  rlhf4j score --model runs/rm-helpful/final --input configs/demo/data/rm-helpful-eval.jsonl",
            "  rlhf4j logprobs --model runs/tiny --input ids.jsonl --out logprobs.jsonl",
            "  rlhf4j generate --model runs/tiny --prompt \"What is 2+3?\"",
            "  rlhf4j plan --config configs/demo/sft.yaml --memory 24GiB",
            "  rlhf4j demo",
            "  rlhf4j doctor",
        })
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns the exit code (tests call this instead of {@link #main}). */
    public static int run(String... args) {
        Runtime.configureOffline();
        CommandLine cli = commandLine();
        return cli.execute(args);
    }

    /** The configured command line: user errors print as one line, bugs with their stack trace (see {@link UserErrors}). */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            // a run stopped by a signal did what was asked: its line says so, not "error"
            err.println("rlhf4j " + commandLine.getCommandName() + (e instanceof TrainingInterruptedException ? ": " : ": error: ")
                    + UserErrors.describe(e));
            // a bug shows its trace; a user error's message says all (RLHF4J_DEBUG=1 shows its trace too)
            if (!UserErrors.isUserError(e) || System.getenv("RLHF4J_DEBUG") != null) {
                e.printStackTrace(err);
            }
            err.flush();
            return UserErrors.exitCode(e);
        });
        return cli;
    }
}
