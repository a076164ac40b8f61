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
 * peak includes the JVM and libtorch (about 300-400 MiB before any model) but not the model's load: it
 * is reset after the first step ({@code clear_refs}), so it is the training steps' peak.
 *
 * <p>Run: {@code bench/run lora [--steps N] [--warmup N] [--hidden D] [--layers L] [--batch B] [--seq T]
 * [--dropout P] [--modes full,lora,lora-d0,lora-fp16,lora-d0-ckpt,lora-fp16-ckpt]}; {@code lora-fp16} is
 * {@code lora-d0} with the frozen base held in float16 ({@code lora.base_dtype}), {@code -ckpt} adds
 * {@code train.gradient_checkpointing}.
 */
public final class LoraBenchmark {

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--child")) {
            child(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        List<String> results = new ArrayList<>();
        List<String> modes = List.of("full", "lora", "lora-d0");
        List<String> childArgs = new ArrayList<>(Arrays.asList(args));
        int modesAt = childArgs.indexOf("--modes");
        if (modesAt >= 0) { // e.g. --modes lora-d0,lora-fp16
            modes = List.of(childArgs.get(modesAt + 1).split(","));
            childArgs.subList(modesAt, modesAt + 2).clear();
        }
        for (String mode : modes) {
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                    .toString()));
            command.addAll(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments());
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), LoraBenchmark.class.getName(),
                    "--child", mode));
            command.addAll(childArgs);
            Path errors = Files.createTempFile("lora-bench-" + mode, ".err"); // the progress bar; shown on failure
            Process process = new ProcessBuilder(command).redirectError(errors.toFile()).start();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                out.lines().forEach(line -> {
                    if (line.startsWith("RESULT ")) {
                        results.add(line.substring(7));
                        System.out.println(line); // now too: a later mode may fail
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
        System.out.printf(Locale.ROOT, "%-9s %14s %12s %14s%n", "mode", "trainable", "step ms", "peak RSS MiB");
        results.forEach(System.out::println);
    }

    private static void child(String[] args) throws Exception {
        Runtime.configureOffline();
        String mode = args[0]; // full | lora | lora-d0 (LoRA without dropout) | lora-fp16 (lora-d0, base in float16)
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
        if (mode.endsWith("-ckpt")) {
            train = train.withMemory(true, 0); // 0: the LM head in one piece, as without checkpointing here
        }
        LoraConfig lora = mode.equals("full") ? null
                : new LoraConfig(16, 32.0, mode.equals("lora") ? dropout : 0.0, LoraConfig.KNOWN_TARGETS, null, null,
                        mode.startsWith("lora-fp16") ? "float16" : "float32");
        SftConfig config = new SftConfig(model.toString(), dir.resolve("out").toString(), 0L, "cpu", "float32",
                "float32", new DataConfig("in-memory", null, null, null, null, null, null), train, null, lora);
        // the peak of the steps after the first, without the load (whose float32 arrays a float16 base replaces)
        boolean[] reset = {false};
        new SftTrainer(config, (tokenizer, maxSeqLen) -> TrainingData.of(rows, List.of())).afterEachStep(policy -> {
            if (!reset[0]) {
                reset[0] = org.rlhf4j.core.runtime.ResidentMemory.resetPeak();
            }
        }).run();
        LlamaConfig shapes = LlamaConfig.read(model.resolve("config.json"));
        long trainable = (lora != null ? LoraAdapters.expectedShapes(lora, shapes) : WeightLayout.expectedShapes(shapes))
                .values().stream().mapToLong(s -> Arrays.stream(s).reduce(1, (a, b) -> a * b)).sum();
        double stepMs = 0;
        for (JsonNode line : MetricsLog.read(config.outputPath().resolve(MetricsLog.FILE_NAME))) {
            if (line.get("step").asInt() > warmup) {
                stepMs += line.get("time/step").asDouble() * 1e3 / steps;
            }
        }
        System.out.printf(Locale.ROOT, "%s: sft step, D=%d L=%d H=8/4 F=%d V=1024, B=%d T=%d, %d steps after %d"
                + " warm-up; %s%n", mode, hidden, layers, 3 * hidden, batch, length, steps, warmup, Machine.current());
        System.out.printf(Locale.ROOT, "RESULT %-9s %,14d %12.0f %14s%n", mode, trainable, stepMs,
                reset[0] ? String.format(Locale.ROOT, "%.0f", ProcessMemory.peakResidentMib()) : "n/a");
        org.rlhf4j.core.io.AtomicFiles.deleteRecursively(dir);
    }
}
