package org.rlhf4j.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.rlhf4j.core.lora.LoraAdapters;
import org.rlhf4j.core.lora.LoraConfig;
import org.rlhf4j.core.model.LlamaConfig;
import org.rlhf4j.core.model.WeightLayout;
import org.rlhf4j.core.pretrained.InitConfig;
import org.rlhf4j.core.pretrained.ModelInitializer;
import org.rlhf4j.core.runtime.Runtime;
import org.rlhf4j.core.training.MetricsLog;
import org.rlhf4j.core.training.TrainConfig;
import org.rlhf4j.datasets.DataConfig;
import org.rlhf4j.datasets.TrainingSequence;
import org.rlhf4j.sft.SftConfig;
import org.rlhf4j.sft.SftTrainer;
import org.rlhf4j.sft.TrainingData;

/**
 * Peak memory and step time of SFT with full fine-tuning against LoRA (r 16 on all seven projections,
 * dropout 0.05, and {@code lora-d0}: dropout 0) on a medium model (default D 512, L 8, 8 heads / 4 KV
 * heads, F 1536, V 1024, B 4, T 256), through the real {@link SftTrainer} loop.
 *
 * <p>Method: each mode runs in a JVM of its own (a child process with this classpath), because the
 * peak resident set size (VmHWM) only grows within a process; the child prints its peak after the run
 * and its mean {@code time/step} over the steps after warm-up, and the parent prints the table. The
 * peak includes the JVM and libtorch (about 300-400 MiB before any model).
 *
 * <p>Run: {@code bench/run lora [--steps N] [--warmup N] [--hidden D] [--layers L] [--batch B] [--seq T]
 * [--dropout P]}.
 */
public final class LoraBenchmark {

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--child")) {
            child(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        List<String> results = new ArrayList<>();
        for (String mode : List.of("full", "lora", "lora-d0")) {
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                    .toString()));
            command.addAll(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments());
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), LoraBenchmark.class.getName(),
                    "--child", mode));
            command.addAll(Arrays.asList(args));
            Path errors = Files.createTempFile("lora-bench-" + mode, ".err"); // the progress bar; shown on failure
            Process process = new ProcessBuilder(command).redirectError(errors.toFile()).start();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                out.lines().forEach(line -> {
                    if (line.startsWith("RESULT ")) {
                        results.add(line.substring(7));
                    } else {
                        System.out.println(line);
                    }
                });
            }
            if (process.waitFor() != 0) {
                System.err.println(Files.readString(errors));
                throw new IllegalStateException(mode + " run failed with exit code " + process.exitValue());
            }
            Files.delete(errors);
        }
        System.out.printf(Locale.ROOT, "%-8s %14s %12s %14s%n", "mode", "trainable", "step ms", "peak RSS MiB");
        results.forEach(System.out::println);
    }

    private static void child(String[] args) throws Exception {
        Runtime.configureOffline();
        String mode = args[0]; // full | lora | lora-d0 (LoRA without dropout)
        int steps = 5;
        int warmup = 2;
        int hidden = 512;
        int layers = 8;
        int batch = 4;
        int length = 256;
        double dropout = 0.05;
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--steps" -> steps = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--hidden" -> hidden = Integer.parseInt(args[++i]);
                case "--layers" -> layers = Integer.parseInt(args[++i]);
                case "--batch" -> batch = Integer.parseInt(args[++i]);
                case "--seq" -> length = Integer.parseInt(args[++i]);
                case "--dropout" -> dropout = Double.parseDouble(args[++i]);
                default -> throw new IllegalArgumentException("usage: bench/run lora [--steps N] [--warmup N]"
                        + " [--hidden D] [--layers L] [--batch B] [--seq T] [--dropout P]");
            }
        }
        Path dir = Files.createTempDirectory("lora-bench");
        Path model = dir.resolve("model");
        String shape = "{\"architectures\":[\"LlamaForCausalLM\"],\"model_type\":\"llama\",\"hidden_size\":" + hidden
                + ",\"intermediate_size\":" + 3 * hidden + ",\"num_hidden_layers\":" + layers
                + ",\"num_attention_heads\":8,\"num_key_value_heads\":4,\"vocab_size\":1024,"
                + "\"max_position_embeddings\":" + Math.max(512, length) + ",\"tie_word_embeddings\":false}";
        ModelInitializer.create(new InitConfig(0L, "byte", "float32", new ObjectMapper().readTree(shape)), model, "bench");
        SplittableRandom random = new SplittableRandom(1);
        List<TrainingSequence> rows = new ArrayList<>();
        for (int r = 0; r < 32; r++) {
            int[] ids = random.ints(length, 0, 1024).toArray();
            boolean[] mask = new boolean[length];
            Arrays.fill(mask, length / 2, length, true);
            rows.add(TrainingSequence.of(ids, mask));
        }
        TrainConfig train = new TrainConfig(steps + warmup, null, batch, 1, 1e-4, 0, "constant", 0.0, 1.0, length, 1,
                0, 0, null);
        LoraConfig lora = mode.equals("full") ? null
                : new LoraConfig(16, 32.0, mode.equals("lora-d0") ? 0.0 : dropout, LoraConfig.KNOWN_TARGETS, null, null);
        SftConfig config = new SftConfig(model.toString(), dir.resolve("out").toString(), 0L, "cpu", "float32",
                "float32", new DataConfig("in-memory", null, null, null, null, null, null), train, null, lora);
        new SftTrainer(config, (tokenizer, maxSeqLen) -> TrainingData.of(rows, List.of())).run();
        LlamaConfig shapes = LlamaConfig.read(model.resolve("config.json"));
        long trainable = (lora != null ? LoraAdapters.expectedShapes(lora, shapes) : WeightLayout.expectedShapes(shapes))
                .values().stream().mapToLong(s -> Arrays.stream(s).reduce(1, (a, b) -> a * b)).sum();
        double stepMs = 0;
        for (JsonNode line : MetricsLog.read(config.outputPath().resolve(MetricsLog.FILE_NAME))) {
            if (line.get("step").asInt() > warmup) {
                stepMs += line.get("time/step").asDouble() * 1e3 / steps;
            }
        }
        if (mode.equals("full")) {
            System.out.printf(Locale.ROOT, "sft step, D=%d L=%d H=8/4 F=%d V=1024, B=%d T=%d, %d steps after %d"
                    + " warm-up; %s%n", hidden, layers, 3 * hidden, batch, length, steps, warmup, Machine.current());
        }
        System.out.printf(Locale.ROOT, "RESULT %-8s %,14d %12.0f %14.0f%n", mode, trainable, stepMs,
                ProcessMemory.peakResidentMib());
        org.rlhf4j.core.io.AtomicFiles.deleteRecursively(dir);
    }
}
