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
import org.rlhf4j.core.config.ConfigLoader;
import org.rlhf4j.core.model.LlamaConfig;
import org.rlhf4j.core.plan.MatmulRate;
import org.rlhf4j.core.plan.MemoryPlan;
import org.rlhf4j.core.plan.MemoryPlanner;
import org.rlhf4j.core.plan.PlanInputs;
import org.rlhf4j.core.pretrained.InitConfig;
import org.rlhf4j.core.pretrained.ModelInitializer;
import org.rlhf4j.core.runtime.ResidentMemory;
import org.rlhf4j.core.runtime.Runtime;
import org.rlhf4j.core.training.MetricsLog;
import org.rlhf4j.core.training.TrainConfig;
import org.rlhf4j.datasets.DataConfig;
import org.rlhf4j.datasets.TrainingSequence;
import org.rlhf4j.sft.SftConfig;
import org.rlhf4j.sft.SftTrainer;
import org.rlhf4j.sft.TrainingData;

/**
 * Checks {@code rlhf4j plan} against measured peaks: for each variant (full fine-tuning with or
 * without activation checkpointing and a chunked head) one child JVM runs a few SFT steps of a
 * randomly initialised model through the real {@link SftTrainer} and reports its peak resident
 * memory ({@code VmHWM}, which never falls, hence a process per variant) and its median step
 * time; the parent prints them beside the plan's prediction for the same config.
 *
 * <p>Run: {@code bench/run plan-check [--shape medium|qwen0.5b] [--batch N] [--seq N] [--steps N]
 * [--chunk N] [--variants plain,ckpt,chunk,both]}.
 */
public final class PlanCheckBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** hidden 512, 8 layers, 8 heads / 4 KV, intermediate 1536, vocab 32000, untied: 58M parameters. */
    static final String MEDIUM = "{\"architectures\":[\"LlamaForCausalLM\"],\"model_type\":\"llama\",\"hidden_size\":512,"
            + "\"intermediate_size\":1536,\"num_hidden_layers\":8,\"num_attention_heads\":8,\"num_key_value_heads\":4,"
            + "\"vocab_size\":32000,\"max_position_embeddings\":2048,\"tie_word_embeddings\":false}";

    /** Qwen2.5-0.5B's shape, tied: 494M parameters. */
    static final String QWEN_05B = "{\"architectures\":[\"Qwen2ForCausalLM\"],\"model_type\":\"qwen2\",\"hidden_size\":896,"
            + "\"intermediate_size\":4864,\"num_hidden_layers\":24,\"num_attention_heads\":14,\"num_key_value_heads\":2,"
            + "\"vocab_size\":151936,\"max_position_embeddings\":32768,\"tie_word_embeddings\":true,"
            + "\"attention_bias\":true}";

    private PlanCheckBenchmark() {}

    public static void main(String[] args) throws Exception {
        Runtime.configureOffline();
        if (args.length > 0 && args[0].equals("--child")) {
            child(args);
            return;
        }
        String shape = "medium";
        int batch = 2;
        int seq = 512;
        int steps = 3;
        int chunk = 1024;
        List<String> variants = List.of("plain", "ckpt", "chunk", "both");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--shape" -> shape = args[++i];
                case "--batch" -> batch = Integer.parseInt(args[++i]);
                case "--seq" -> seq = Integer.parseInt(args[++i]);
                case "--steps" -> steps = Integer.parseInt(args[++i]);
                case "--chunk" -> chunk = Integer.parseInt(args[++i]);
                case "--variants" -> variants = Arrays.asList(args[++i].split(","));
                default -> throw new IllegalArgumentException("usage: plan-check [--shape medium|qwen0.5b] [--batch N] "
                        + "[--seq N] [--steps N] [--chunk N] [--variants plain,ckpt,chunk,both]");
            }
        }
        String json = shape.equals("qwen0.5b") ? QWEN_05B : MEDIUM;
        Path dir = Files.createTempDirectory("plan-check");
        Path model = dir.resolve("model");
        ModelInitializer.create(new InitConfig(0L, "byte", "float32", JSON.readTree(json)), model, "plan-check");
        double rate;
        try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager()) {
            rate = MatmulRate.measure(m, 1024);
        }
        System.out.printf(Locale.ROOT, "plan-check: %s, SFT full fine-tuning, B=%d T=%d, %d steps, float32; "
                + "GEMM %.0f GFLOP/s%n", shape, batch, seq, steps, rate / 1e9);
        System.out.printf(Locale.ROOT, "%-7s %14s %14s %8s %14s %14s%n", "variant", "predicted", "measured", "error",
                "step (plan)", "step (measured)");
        for (String variant : variants) {
            SftConfig config = config(model, dir.resolve("out-" + variant), batch, seq, steps, variant, chunk);
            MemoryPlan plan = MemoryPlanner.plan(PlanInputs.of(ConfigLoader.toTree(config),
                    LlamaConfig.read(model.resolve("config.json"))));
            JsonNode measured = runChild(model, dir.resolve("out-" + variant), batch, seq, steps, variant, chunk);
            long peak = measured.get("peak_rss").asLong();
            System.out.printf(Locale.ROOT, "%-7s %14s %14s %7.1f%% %12.1f s %12.1f s   (runtime RSS %s)%n", variant,
                    MemoryPlan.gib(plan.peakBytes()), MemoryPlan.gib(peak),
                    100.0 * (plan.peakBytes() - peak) / peak, plan.stepSeconds(rate * MatmulRate.TRAINING_EFFICIENCY),
                    measured.get("step_seconds").asDouble(), MemoryPlan.gib(measured.get("runtime_rss").asLong()));
            System.out.print(plan.table());
        }
        org.rlhf4j.core.io.AtomicFiles.deleteRecursively(dir);
    }

    static SftConfig config(Path model, Path out, int batch, int seq, int steps, String variant, int chunkTokens) {
        boolean ckpt = variant.equals("ckpt") || variant.equals("both");
        int chunk = variant.equals("chunk") || variant.equals("both") ? chunkTokens : 0;
        TrainConfig train = new TrainConfig(steps, null, batch, 1, 1e-5, 0, "constant", 0.0, 1.0, seq, 1, 0, 0, null)
                .withMemory(ckpt, chunk);
        return new SftConfig(model.toString(), out.toString(), 0L, "cpu", "float32", "float32",
                new DataConfig("in-memory", null, null, null, null, null, null), train, null);
    }

    private static JsonNode runChild(Path model, Path out, int batch, int seq, int steps, String variant, int chunk)
            throws Exception {
        return ChildJvm.run(PlanCheckBenchmark.class, List.of("--child", model.toString(), out.toString(),
                Integer.toString(batch), Integer.toString(seq), Integer.toString(steps), variant,
                Integer.toString(chunk)));
    }

    /** In the child: train, then print the peak and the median step time after the first step. */
    private static void child(String[] args) throws Exception {
        Path model = Path.of(args[1]);
        Path out = Path.of(args[2]);
        int batch = Integer.parseInt(args[3]);
        int seq = Integer.parseInt(args[4]);
        int steps = Integer.parseInt(args[5]);
        String variant = args[6];
        int chunk = Integer.parseInt(args[7]);
        ai.djl.engine.Engine.getInstance(); // load libtorch: the runtime's share of the peak
        long runtime = ResidentMemory.currentBytes();
        int vocab = LlamaConfig.read(model.resolve("config.json")).vocabSize();
        SplittableRandom random = new SplittableRandom(1);
        List<TrainingSequence> rows = new ArrayList<>();
        for (int r = 0; r < 4 * batch; r++) {
            int[] ids = random.ints(seq, 0, vocab).toArray();
            boolean[] mask = new boolean[seq];
            Arrays.fill(mask, seq / 4, seq, true);
            rows.add(TrainingSequence.of(ids, mask));
        }
        SftConfig config = config(model, out, batch, seq, steps, variant, chunk);
        new SftTrainer(config, (tokenizer, maxSeqLen) -> TrainingData.of(rows, List.of())).run();
        List<Double> times = new ArrayList<>();
        for (JsonNode line : MetricsLog.read(out.resolve(MetricsLog.FILE_NAME))) {
            if (line.get("step").asInt() > 1 && line.has("time/step")) {
                times.add(line.get("time/step").asDouble());
            }
        }
        times.sort(Double::compare);
        double median = times.isEmpty() ? Double.NaN : times.get(times.size() / 2);
        System.out.println("RESULT {\"peak_rss\":" + ResidentMemory.peakBytes() + ",\"runtime_rss\":" + runtime
                + ",\"step_seconds\":" + median + "}");
    }
}
