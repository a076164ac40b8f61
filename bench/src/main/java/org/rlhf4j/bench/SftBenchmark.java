package org.rlhf4j.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.rlhf4j.core.pretrained.InitConfig;
import org.rlhf4j.core.pretrained.ModelInitializer;
import org.rlhf4j.core.runtime.Runtime;
import org.rlhf4j.core.training.MetricsLog;
import org.rlhf4j.core.training.TrainConfig;
import org.rlhf4j.datasets.TrainingSequence;
import org.rlhf4j.sft.SftConfig;
import org.rlhf4j.sft.SftTrainer;
import org.rlhf4j.sft.TrainingData;

/**
 * SFT training throughput on the benchmark config (D 256, L 4, 8 heads / 4 KV heads, F 768,
 * V 1024, T 256, B 8) through the real {@link SftTrainer} loop, and where a step's time goes.
 *
 * <p>Method: the trainer times each phase of a step with {@link System#nanoTime} (libtorch on the
 * CPU runs each op synchronously, so wall time around a call is that call's compute) and logs
 * them to {@code metrics.jsonl} as {@code time/*} seconds per step, one line a step here:
 * collation (Java arrays to device arrays and the attention bias), forward + loss, backward,
 * optimizer (clip + AdamW + zero), and the whole step from reading its rows to the update.
 * "Outside libtorch kernels" is the step's wall time minus forward, backward and optimizer:
 * collation, batch assembly and bookkeeping.
 * It is a lower bound on Java-side overhead, because the per-op JNI dispatch inside forward and
 * backward (0.5-6.5 us per op, DJL-NOTES) is counted as kernel time. The first steps are warm-up
 * and left out.
 *
 * <p>Run: {@code bench/run sft [--steps N] [--threads N]} once the bench module depends on
 * {@code rlhf4j-sft}; until then from the sft module's test classpath (see the README section).
 */
public final class SftBenchmark {

    public static void main(String[] args) throws Exception {
        Runtime.configureOffline();
        int steps = 20;
        int warmup = 3;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--steps" -> steps = Integer.parseInt(args[++i]);
                case "--threads" -> System.setProperty("ai.djl.pytorch.num_threads", args[++i]);
                default -> throw new IllegalArgumentException("usage: SftBenchmark [--steps N] [--threads N]");
            }
        }
        int batch = 8;
        int length = 256;
        Path dir = Files.createTempDirectory("sft-bench");
        Path model = dir.resolve("model");
        String shape = "{\"architectures\":[\"LlamaForCausalLM\"],\"model_type\":\"llama\",\"hidden_size\":256,"
                + "\"intermediate_size\":768,\"num_hidden_layers\":4,\"num_attention_heads\":8,\"num_key_value_heads\":4,"
                + "\"vocab_size\":1024,\"max_position_embeddings\":512,\"tie_word_embeddings\":false}";
        ModelInitializer.create(new InitConfig(0L, "byte", "float32", new ObjectMapper().readTree(shape)), model, "bench");

        // Full-length rows, half of each a target (a prompt then a response), ids over the whole vocabulary.
        SplittableRandom random = new SplittableRandom(1);
        List<TrainingSequence> rows = new ArrayList<>();
        for (int r = 0; r < 64; r++) {
            int[] ids = random.ints(length, 0, 1024).toArray();
            boolean[] mask = new boolean[length];
            Arrays.fill(mask, length / 2, length, true);
            rows.add(TrainingSequence.of(ids, mask));
        }
        // log_every 1: every step's time/* figures reach metrics.jsonl, which is what this reads
        TrainConfig train = new TrainConfig(steps + warmup, null, batch, 1, 1e-4, 0, "cosine", 0.0, 1.0, length, 1,
                0, 0, null);
        SftConfig config = new SftConfig(model.toString(), dir.resolve("out").toString(), 0L, "cpu", "float32",
                "float32", new org.rlhf4j.datasets.DataConfig("bench", null, null, null, null, null, null), train, null);
        new SftTrainer(config, (tokenizer, maxSeqLen) -> TrainingData.of(rows, List.of())).run();

        // milliseconds per step after warm-up: collate, forward, backward, optimizer, the whole step
        String[] phases = {"time/collate", "time/forward", "time/backward", "time/optimizer", "time/step"};
        double[] ms = new double[phases.length];
        long tokensBefore = 0;
        long tokensAfter = 0;
        for (JsonNode line : MetricsLog.read(config.outputPath().resolve(MetricsLog.FILE_NAME))) {
            int step = line.get("step").asInt();
            if (step == warmup) {
                tokensBefore = line.get("num_tokens").asLong();
            } else if (step > warmup) {
                for (int i = 0; i < phases.length; i++) {
                    ms[i] += line.get(phases[i]).asDouble() * 1e3 / steps; // logged in seconds
                }
                tokensAfter = line.get("num_tokens").asLong();
            }
        }
        double perStep = ms[4];
        double kernels = ms[1] + ms[2] + ms[3];
        System.out.printf(Locale.ROOT, "sft train step, B=%d T=%d D=256 L=4 H=8/4 F=768 V=1024, %d steps after %d warm-up, %s threads%n",
                batch, length, steps, warmup, System.getProperty("ai.djl.pytorch.num_threads", "default"));
        System.out.printf(Locale.ROOT, "  tokens/s          %,.0f%n", (tokensAfter - tokensBefore) / (perStep * steps / 1e3));
        System.out.printf(Locale.ROOT, "  step              %.1f ms%n", perStep);
        System.out.printf(Locale.ROOT, "    collate         %.2f ms%n", ms[0]);
        System.out.printf(Locale.ROOT, "    forward + loss  %.1f ms%n", ms[1]);
        System.out.printf(Locale.ROOT, "    backward        %.1f ms%n", ms[2]);
        System.out.printf(Locale.ROOT, "    optimizer       %.1f ms%n", ms[3]);
        System.out.printf(Locale.ROOT, "  outside libtorch  %.2f%% of the step (collation %.2f%%, bookkeeping %.2f%%)%n",
                100 * (perStep - kernels) / perStep, 100 * ms[0] / perStep, 100 * (perStep - kernels - ms[0]) / perStep);
        org.rlhf4j.core.io.AtomicFiles.deleteRecursively(dir);
    }
}
