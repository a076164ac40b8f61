package org.rlhf4j.bench;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.rlhf4j.core.io.SaveDtype;
import org.rlhf4j.core.pretrained.PretrainedModel;
import org.rlhf4j.core.runtime.Runtime;
import org.rlhf4j.datasets.RewardConditions;
import org.rlhf4j.reward.RewardModels;
import org.rlhf4j.testing.TinyModels;

/**
 * Peak resident memory of {@code rlhf4j score} and {@code rlhf4j logprobs} on long rows: a tiny
 * Llama (D=64, 2 layers, 4 heads / 2 KV heads, byte tokenizer) and its reward-model twin, 16 rows of
 * each given length; each command runs in its own process through the real launcher under
 * {@code /usr/bin/time}, whose maximum RSS is the figure (libtorch's native memory included).
 *
 * <p>{@code ./bench/run score-memory [--rows 16] [--tokens 500,1000,2000] [--settings default,rows16,rows1]
 * [--before DIR] [--before-max-tokens 1000]}. {@code rows16} is 16 sequences per pass with no token
 * budget (the old default's batching), {@code rows1} one sequence per pass. {@code --before DIR}
 * also runs DIR's {@code rlhf4j} launcher (e.g. an export of the previous commit) with its default
 * settings, on lengths up to {@code --before-max-tokens} (the old code needs ~17 GB at 2,000).
 */
public final class ScoreMemoryBenchmark {

    private ScoreMemoryBenchmark() {}

    public static void main(String[] args) throws Exception {
        Runtime.configureOffline();
        int rows = 16;
        int[] tokens = {500, 1000, 2000};
        List<String> settings = List.of("default", "rows16", "rows1");
        Path before = null;
        int beforeMax = 1000;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rows" -> rows = Integer.parseInt(args[++i]);
                case "--tokens" -> tokens = java.util.Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt)
                        .toArray();
                case "--settings" -> settings = List.of(args[++i].split(","));
                case "--before" -> before = Path.of(args[++i]);
                case "--before-max-tokens" -> beforeMax = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Path root = Path.of(System.getProperty("rlhf4j.root", "."));
        Path work = Files.createTempDirectory("score-memory");
        int longest = java.util.Arrays.stream(tokens).max().orElse(0);
        Path lm = TinyModels.llama(work.resolve("lm"), 64, 2, 1, Math.max(256, longest + 64));
        Path rm = work.resolve("rm");
        try (PretrainedModel model = RewardModels.load(lm, Device.cpu(), DataType.FLOAT32, 0.02, 7)) {
            RewardModels.export(model, rm, SaveDtype.FLOAT32, RewardConditions.of(Map.of()));
        }
        Machine machine = Machine.current();
        System.out.printf("score-memory: %d rows per file, tiny Llama D=64 L=2 H=4 KV=2 V=259; %s, %d cores, load %.2f%n",
                rows, machine.cpuModel(), machine.cores(), machine.loadAverage());
        System.out.println("| command | tokens per row | setting | peak RSS (MiB) | wall (s) |");
        System.out.println("| --- | --- | --- | --- | --- |");
        for (int length : tokens) {
            Path scoreInput = work.resolve("score-" + length + ".jsonl");
            Path logprobsInput = work.resolve("logprobs-" + length + ".jsonl");
            writeInputs(scoreInput, logprobsInput, rows, length);
            for (String command : List.of("score", "logprobs")) {
                Path model = command.equals("score") ? rm : lm;
                Path input = command.equals("score") ? scoreInput : logprobsInput;
                if (before != null && length <= beforeMax) {
                    report(command, length, "before (old code, default)",
                            run(before.resolve("rlhf4j"), command, model, input, work, List.of()));
                }
                for (String setting : settings) {
                    List<String> extra = switch (setting) {
                        case "default" -> List.of();
                        case "rows16" -> List.of("--batch-size", "16", "--max-batch-tokens", "1000000000");
                        case "rows1" -> List.of("--batch-size", "1");
                        default -> throw new IllegalArgumentException("unknown setting " + setting);
                    };
                    report(command, length, setting, run(root.resolve("rlhf4j"), command, model, input, work, extra));
                }
            }
        }
    }

    /** 16 rows: score lines whose rendered sequence is about {@code length} byte tokens, logprobs lines of exactly that many ids. */
    private static void writeInputs(Path score, Path logprobs, int rows, int length) throws IOException {
        SplittableRandom random = new SplittableRandom(length);
        StringBuilder s = new StringBuilder();
        StringBuilder l = new StringBuilder();
        for (int r = 0; r < rows; r++) {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < length - 40; i++) { // the template adds ~40 tokens
                text.append((char) ('a' + random.nextInt(26)));
            }
            s.append("{\"prompt\":\"p").append(r).append("\",\"response\":\"").append(text).append("\"}\n");
            l.append("{\"ids\":[");
            for (int i = 0; i < length; i++) {
                l.append(i == 0 ? "" : ",").append(random.nextInt(259));
            }
            l.append("]}\n");
        }
        Files.writeString(score, s, StandardCharsets.UTF_8);
        Files.writeString(logprobs, l, StandardCharsets.UTF_8);
    }

    private record Result(double peakMib, double seconds, int exit) {}

    private static Result run(Path launcher, String command, Path model, Path input, Path work, List<String> extra)
            throws IOException, InterruptedException {
        Path timeFile = work.resolve("time.txt");
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/time", "-f", "%M %e", "-o", timeFile.toString(),
                launcher.toString(), command, "--model", model.toString(), "--input", input.toString(),
                "--out", work.resolve("out.jsonl").toString()));
        cmd.addAll(extra);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(work.resolve("log.txt").toFile()).start();
        int exit = p.waitFor();
        String[] fields = Files.readString(timeFile).trim().split("\\s+");
        String[] last = fields.length >= 2 ? new String[] {fields[fields.length - 2], fields[fields.length - 1]}
                : new String[] {"-1", "-1"};
        return new Result(Long.parseLong(last[0]) / 1024.0, Double.parseDouble(last[1]), exit);
    }

    private static void report(String command, int length, String setting, Result r) {
        System.out.printf("| %s | %,d | %s | %,.0f%s | %.1f |%n", command, length, setting, r.peakMib(),
                r.exit() == 0 ? "" : " (exit " + r.exit() + ")", r.seconds());
    }
}
