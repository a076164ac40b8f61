package org.rlhf4j.bench;

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
 * CPU runs each op synchronously, so wall time around a call is that call's compute):
 * collation (Java arrays to device arrays and the attention bias), forward + loss, backward,
 * optimizer (clip + AdamW + zero). "Outside libtorch kernels" is the step's wall time minus
 * forward, backward and optimizer: collation, batch assembly, metrics, progress and bookkeeping.
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
        TrainConfig train = new TrainConfig(steps + warmup, null, batch, 1, 1e-4, 0, "cosine", 0.0, 1.0, length, 1000,
                0, 0, null);
        SftConfig config = new SftConfig(model.toString(), dir.resolve("out").toString(), 0L, "cpu", "float32",
                "float32", new org.rlhf4j.datasets.DataConfig("bench", null, null, null, null, null, null), train, null);

        long[] sums = new long[6]; // collate, forward, backward, optimizer, total, tokens
        int finalWarmup = warmup;
        new SftTrainer(config, (tokenizer, maxSeqLen) -> TrainingData.of(rows, List.of()))
                .observe((step, policy, t) -> {
                    if (step > finalWarmup) {
                        sums[0] += t.collate();
                        sums[1] += t.forward();
                        sums[2] += t.backward();
                        sums[3] += t.optimizer();
                        sums[4] += t.total();
                        sums[5] += t.tokens();
                    }
                })
                .run();
        double perStep = sums[4] / 1e6 / steps;
        double kernels = (sums[1] + sums[2] + sums[3]) / 1e6 / steps;
        System.out.printf(Locale.ROOT, "sft train step, B=%d T=%d D=256 L=4 H=8/4 F=768 V=1024, %d steps after %d warm-up, %s threads%n",
                batch, length, steps, warmup, System.getProperty("ai.djl.pytorch.num_threads", "default"));
        System.out.printf(Locale.ROOT, "  tokens/s          %,.0f%n", sums[5] / (sums[4] / 1e9));
        System.out.printf(Locale.ROOT, "  step              %.1f ms%n", perStep);
        System.out.printf(Locale.ROOT, "    collate         %.2f ms%n", sums[0] / 1e6 / steps);
        System.out.printf(Locale.ROOT, "    forward + loss  %.1f ms%n", sums[1] / 1e6 / steps);
        System.out.printf(Locale.ROOT, "    backward        %.1f ms%n", sums[2] / 1e6 / steps);
        System.out.printf(Locale.ROOT, "    optimizer       %.1f ms%n", sums[3] / 1e6 / steps);
        System.out.printf(Locale.ROOT, "  outside libtorch  %.2f%% of the step (collation %.2f%%, bookkeeping %.2f%%)%n",
                100 * (perStep - kernels) / perStep, 100 * sums[0] / 1e6 / steps / perStep,
                100 * (perStep - kernels - sums[0] / 1e6 / steps) / perStep);
        org.rlhf4j.core.io.AtomicFiles.deleteRecursively(dir);
    }
}
