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
import org.rlhf4j.core.lora.LoraConfig;
import org.rlhf4j.core.model.LlamaConfig;
import org.rlhf4j.core.plan.MatmulRate;
import org.rlhf4j.core.plan.MemoryBudget;
import org.rlhf4j.core.plan.MemoryPlan;
import org.rlhf4j.core.plan.MemoryPlanner;
import org.rlhf4j.core.plan.PlanInputs;
import org.rlhf4j.core.pretrained.InitConfig;
import org.rlhf4j.core.pretrained.ModelInitializer;
import org.rlhf4j.core.runtime.ResidentMemory;
import org.rlhf4j.core.runtime.Runtime;
import org.rlhf4j.core.training.MetricsLog;
import org.rlhf4j.core.training.StageConfig;
import org.rlhf4j.core.training.TrainConfig;
import org.rlhf4j.datasets.ChatMessage;
import org.rlhf4j.datasets.DataConfig;
import org.rlhf4j.datasets.PreferencePair;
import org.rlhf4j.datasets.TokenizedPair;
import org.rlhf4j.datasets.TrainingSequence;
import org.rlhf4j.dpo.DpoConfig;
import org.rlhf4j.dpo.DpoOptions;
import org.rlhf4j.dpo.DpoTrainer;
import org.rlhf4j.dpo.PreferenceData;
import org.rlhf4j.sft.SftConfig;
import org.rlhf4j.sft.SftTrainer;
import org.rlhf4j.sft.TrainingData;

/**
 * {@code rlhf4j plan} against measured peaks at real model sizes: Qwen2.5-0.5B's and
 * Llama-3.2-1B's shapes (random weights), SFT and DPO steps at T = 512 through the real trainers,
 * with full fine-tuning, LoRA (r 16, alpha 32, dropout 0.05, all seven projections), LoRA with
 * activation checkpointing and a chunked head, and DPO's reference as the policy with its adapters
 * off against a second, frozen copy.
 *
 * <p>Each configuration runs in a JVM of its own ({@link ChildJvm}: VmHWM is the process's peak),
 * one at a time, and only once {@code MemAvailable} exceeds its predicted peak plus a margin, so
 * that it neither swaps nor starves other processes; a configuration the plan says does not fit
 * the budget ({@code --memory}, 24 GiB by default) is not run. The child logs every step and
 * reports the median wall time and process CPU time of the steps after warm-up, and the load
 * average over them: on a shared machine wall time is indicative only.
 *
 * <p>Random weights are written once per shape under {@code java.io.tmpdir/rlhf4j-real-shapes}
 * and reused by later runs (2 GB for Qwen, 5 GB for Llama).
 *
 * <p>Run: {@code bench/run real-shapes [--shapes qwen0.5b,llama1b] [--configs sft-full,...] [--batch 1]
 * [--seq 512] [--steps 3] [--warmup 1] [--chunk 128] [--memory 24GiB] [--plan-only]}.
 */
public final class RealShapesBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Llama-3.2-1B's shape, tied: 1.24B parameters (rope scaling left out: it changes no memory). */
    static final String LLAMA_1B = "{\"architectures\":[\"LlamaForCausalLM\"],\"model_type\":\"llama\",\"hidden_size\":2048,"
            + "\"intermediate_size\":8192,\"num_hidden_layers\":16,\"num_attention_heads\":32,\"num_key_value_heads\":8,"
            + "\"vocab_size\":128256,\"max_position_embeddings\":131072,\"tie_word_embeddings\":true,"
            + "\"rope_theta\":500000.0}";

    static final List<String> CONFIGS = List.of("sft-full", "sft-lora", "sft-lora-ckpt", "dpo-lora-off",
            "dpo-lora-frozen", "dpo-lora-ckpt-off", "dpo-lora-ckpt-frozen", "dpo-full");

    /** Free memory a run must leave beyond its predicted peak before it starts. */
    private static final long MARGIN = 3L << 30;

    private static final String USAGE = "usage: bench/run real-shapes [--shapes qwen0.5b,llama1b] [--configs "
            + String.join(",", CONFIGS) + "] [--batch 1] [--seq 512] [--steps 3] [--warmup 1] [--chunk 128]"
            + " [--memory 24GiB] [--plan-only]";

    /**
     * One measured configuration.
     *
     * @param stage {@code sft} or {@code dpo}
     * @param lora adapters instead of full fine-tuning
     * @param checkpointing activation checkpointing and a chunked head
     * @param reference DPO's {@code dpo.reference}
     */
    record Variant(String name, String stage, boolean lora, boolean checkpointing, String reference) {

        static Variant of(String name) {
            if (!CONFIGS.contains(name)) {
                throw new IllegalArgumentException("unknown configuration '" + name + "'; " + USAGE);
            }
            String reference = name.endsWith("-off") ? DpoOptions.ADAPTERS_OFF
                    : name.endsWith("-frozen") ? "frozen" : "precomputed";
            return new Variant(name, name.substring(0, 3), name.contains("lora"), name.contains("ckpt"), reference);
        }
    }

    /** The sizes of a run. */
    record Sizes(int batch, int seq, int steps, int warmup, int chunk) {}

    private RealShapesBenchmark() {}

    public static void main(String[] args) throws Exception {
        Runtime.configureOffline();
        switch (args.length > 0 ? args[0] : "") {
            case "--init" -> initChild(Path.of(args[1]), args[2]);
            case "--child" -> trainChild(args);
            default -> parent(args);
        }
    }

    private static void parent(String[] args) throws Exception {
        List<String> shapes = List.of("qwen0.5b", "llama1b");
        List<String> configs = null;
        int batch = 1;
        int seq = 512;
        int steps = 3;
        int warmup = 1;
        int chunk = 128;
        long budget = 24L << 30;
        boolean planOnly = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--shapes" -> shapes = Arrays.asList(args[++i].split(","));
                case "--configs" -> configs = Arrays.asList(args[++i].split(","));
                case "--batch" -> batch = Integer.parseInt(args[++i]);
                case "--seq" -> seq = Integer.parseInt(args[++i]);
                case "--steps" -> steps = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--chunk" -> chunk = Integer.parseInt(args[++i]);
                case "--memory" -> budget = MemoryBudget.parse(args[++i], "--memory");
                case "--plan-only" -> planOnly = true;
                default -> throw new IllegalArgumentException(USAGE);
            }
        }
        if (warmup < 1 || steps <= warmup) {
            throw new IllegalArgumentException("--warmup must be >= 1 and below --steps; " + USAGE);
        }
        Sizes sizes = new Sizes(batch, seq, steps, warmup, chunk);
        double rate;
        try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager()) {
            rate = MatmulRate.measure(m, 1024);
        }
        System.out.printf(Locale.ROOT, "real-shapes: B=%d T=%d, %d steps (%d warm-up), float32, LoRA r 16 alpha 32"
                + " dropout 0.05 on all 7 projections, chunk %d tokens; GEMM %.0f GFLOP/s; budget %s; %s%n", batch,
                seq, steps, warmup, chunk, rate / 1e9, MemoryPlan.gib(budget), Machine.current());
        List<String> table = new ArrayList<>();
        for (String shape : shapes) {
            Path model = modelDir(shape);
            LlamaConfig shapeConfig = LlamaConfig.read(model.resolve("config.json"));
            for (String name : configs != null ? configs : defaults(shape)) {
                Variant variant = Variant.of(name);
                Path out = Files.createTempDirectory("real-shapes-" + name);
                StageConfig config = config(model, out, variant, sizes);
                MemoryPlan plan = MemoryPlanner.plan(PlanInputs.of(ConfigLoader.toTree(config), shapeConfig));
                boolean fits = plan.peakBytes() <= budget;
                System.out.printf(Locale.ROOT, "%n%s %s: plan%n%s", shape, name, plan.table());
                String row = String.format(Locale.ROOT, "%-9s %-21s %10s %-5s", shape, name,
                        MemoryPlan.gib(plan.peakBytes()), fits ? "fits" : "no");
                double planStep = plan.stepSeconds(rate * MatmulRate.TRAINING_EFFICIENCY);
                if (planOnly || !fits || !waitForMemory(plan.peakBytes() + MARGIN)) {
                    String why = planOnly ? "(plan only)" : !fits ? "(not run: does not fit the budget)"
                            : "(not run: not enough free memory on this machine)";
                    row += String.format(Locale.ROOT, " %10s %7s %10s %10s %8.0f s  %s", "-", "-", "-", "-", planStep,
                            why);
                } else {
                    JsonNode m = ChildJvm.run(RealShapesBenchmark.class, List.of("--child", model.toString(),
                            out.toString(), name, Integer.toString(batch), Integer.toString(seq),
                            Integer.toString(steps), Integer.toString(warmup), Integer.toString(chunk)));
                    long peak = m.get("peak_rss").asLong();
                    long file = plan.components().getOrDefault("mapped checkpoint file", 0L);
                    row += String.format(Locale.ROOT, " %10s %+6.1f%% %10s %10s %8.0f s %8.1f s %8.1f s %5.2f %5.2f",
                            MemoryPlan.gib(peak), 100.0 * (plan.peakBytes() - peak) / peak,
                            MemoryPlan.gib(plan.peakBytes() - file), MemoryPlan.gib(m.get("peak_anon").asLong()), planStep,
                            m.get("step_seconds").asDouble(), m.get("cpu_seconds").asDouble(),
                            m.get("others_cores").asDouble(), m.get("load").asDouble());
                }
                System.out.println(row);
                table.add(row);
                org.rlhf4j.core.io.AtomicFiles.deleteRecursively(out);
            }
        }
        System.out.printf(Locale.ROOT, "%n%-9s %-21s %10s %-5s %10s %7s %10s %10s %10s %10s %10s %5s %5s%n", "shape",
                "config", "predicted", "fits", "VmHWM", "error", "plan-file", "anon peak", "plan step", "wall step",
                "CPU/step", "other", "load");
        table.forEach(System.out::println);
        System.out.println("(plan-file: the prediction without the memory-mapped checkpoint file; anon peak: the"
                + " highest RssAnon sampled every 20 ms, VmHWM without file pages; other: other processes' CPU use in"
                + " cores during the measured steps; load: 1-minute load average at their end)");
    }

    /** The configurations run by default: the ones the issue asks for on each shape. */
    private static List<String> defaults(String shape) {
        return shape.equals("llama1b")
                ? List.of("sft-full", "sft-lora-ckpt", "sft-lora", "dpo-lora-ckpt-off", "dpo-lora-ckpt-frozen")
                : List.of("sft-full", "sft-lora", "sft-lora-ckpt", "dpo-lora-off", "dpo-lora-frozen",
                        "dpo-lora-ckpt-off", "dpo-lora-ckpt-frozen");
    }

    /** The shape's random-weight model directory, written by a child JVM the first time. */
    private static Path modelDir(String shape) throws Exception {
        if (!shape.equals("qwen0.5b") && !shape.equals("llama1b")) {
            throw new IllegalArgumentException("unknown shape '" + shape + "'; " + USAGE);
        }
        Path model = Path.of(System.getProperty("java.io.tmpdir"), "rlhf4j-real-shapes", shape, "model");
        if (!Files.exists(model.resolve("model.safetensors")) && !Files.exists(model.resolve("config.json"))) {
            System.out.println("writing random " + shape + " weights to " + model);
            ChildJvm.run(RealShapesBenchmark.class, List.of("--init", model.toString(), shape));
        }
        return model;
    }

    private static void initChild(Path model, String shape) throws Exception {
        String json = shape.equals("llama1b") ? LLAMA_1B : PlanCheckBenchmark.QWEN_05B;
        Path partial = model.resolveSibling("model.partial");
        org.rlhf4j.core.io.AtomicFiles.deleteRecursively(partial);
        ModelInitializer.create(new InitConfig(0L, "byte", "float32", JSON.readTree(json)), partial, "real-shapes");
        Files.move(partial, model);
        System.out.println("RESULT {}");
    }

    /** Waits until MemAvailable reaches {@code bytes}, up to 30 minutes; false if it never does. */
    private static boolean waitForMemory(long bytes) throws Exception {
        long deadline = System.nanoTime() + 30L * 60 * 1_000_000_000L;
        boolean told = false;
        while (true) {
            long available = memAvailable();
            if (available >= bytes) {
                return true;
            }
            if (System.nanoTime() > deadline || bytes > MemoryBudget.of(ai.djl.Device.cpu())) {
                return false;
            }
            if (!told) {
                System.out.printf(Locale.ROOT, "waiting for %s free (MemAvailable %s)%n", MemoryPlan.gib(bytes),
                        MemoryPlan.gib(available));
                told = true;
            }
            Thread.sleep(15_000);
        }
    }

    private static long memAvailable() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
            if (line.startsWith("MemAvailable:")) {
                return Long.parseLong(line.substring(13).trim().split("\\s+")[0]) * 1024;
            }
        }
        return 0;
    }

    static StageConfig config(Path model, Path out, Variant v, Sizes s) {
        TrainConfig train = new TrainConfig(s.steps(), null, s.batch(), 1, 1e-5, 0, "constant", 0.0, 1.0, s.seq(), 1,
                0, 0, null).withMemory(v.checkpointing(), v.checkpointing() ? s.chunk() : 0);
        LoraConfig lora = v.lora() ? new LoraConfig(16, 32.0, 0.05, LoraConfig.KNOWN_TARGETS, null, null) : null;
        DataConfig data = new DataConfig("in-memory", null, null, null, null, null, null);
        if (v.stage().equals("sft")) {
            return new SftConfig(model.toString(), out.toString(), 0L, "cpu", "float32", "float32", data, train, null,
                    lora);
        }
        return new DpoConfig(model.toString(), out.toString(), 0L, "cpu", "float32", "float32", data, train,
                new DpoOptions(0.1, "sigmoid", null, null, v.reference(), null, s.seq() / 4), lora);
    }

    /** In the child: train, then report the peak and the medians of the steps after warm-up. */
    private static void trainChild(String[] args) throws Exception {
        Path model = Path.of(args[1]);
        Path out = Path.of(args[2]);
        Variant variant = Variant.of(args[3]);
        Sizes sizes = new Sizes(Integer.parseInt(args[4]), Integer.parseInt(args[5]), Integer.parseInt(args[6]),
                Integer.parseInt(args[7]), Integer.parseInt(args[8]));
        ai.djl.engine.Engine.getInstance(); // libtorch loaded: the runtime's share of the peak
        long runtime = ResidentMemory.currentBytes();
        int vocab = LlamaConfig.read(model.resolve("config.json")).vocabSize();
        StageConfig config = config(model, out, variant, sizes);
        int rows = sizes.steps() * sizes.batch();
        SplittableRandom random = new SplittableRandom(1);
        int prompt = sizes.seq() / 4;
        boolean[] mask = new boolean[sizes.seq()];
        Arrays.fill(mask, prompt, sizes.seq(), true);
        try (StepClock clock = StepClock.watch(out.resolve(MetricsLog.FILE_NAME))) {
            if (config instanceof SftConfig sft) {
                List<TrainingSequence> data = new ArrayList<>();
                for (int r = 0; r < rows; r++) {
                    data.add(TrainingSequence.of(random.ints(sizes.seq(), 0, vocab).toArray(), mask));
                }
                new SftTrainer(sft, (tokenizer, maxSeqLen) -> TrainingData.of(data, List.of())).run();
            } else {
                List<TokenizedPair> pairs = new ArrayList<>();
                for (int r = 0; r < rows; r++) {
                    int[] chosen = random.ints(sizes.seq(), 0, vocab).toArray();
                    int[] rejected = random.ints(sizes.seq(), 0, vocab).toArray();
                    System.arraycopy(chosen, 0, rejected, 0, prompt); // the shared prompt
                    pairs.add(new TokenizedPair(TrainingSequence.of(chosen, mask), TrainingSequence.of(rejected, mask),
                            new PreferencePair(List.of(ChatMessage.user("p" + r)), "c", "r", null, null, null,
                                    "bench:" + r)));
                }
                new DpoTrainer((DpoConfig) config, tokenizer -> PreferenceData.of(pairs, List.of())).run();
            }
            report(out, sizes, runtime, clock);
        }
    }

    private static void report(Path out, Sizes sizes, long runtime, StepClock clock) throws Exception {
        List<Double> wall = new ArrayList<>();
        for (JsonNode line : MetricsLog.read(out.resolve(MetricsLog.FILE_NAME))) {
            if (line.get("step").asInt() > sizes.warmup() && line.has("time/step")) {
                wall.add(line.get("time/step").asDouble());
            }
        }
        List<StepClock.Mark> marks = clock.marks();
        List<Double> cpu = new ArrayList<>();
        for (int i = sizes.warmup(); i < marks.size(); i++) {
            cpu.add(marks.get(i).cpuSeconds() - marks.get(i - 1).cpuSeconds());
        }
        StepClock.Mark first = marks.get(Math.max(0, sizes.warmup() - 1));
        StepClock.Mark last = marks.get(marks.size() - 1);
        double others = first.share().othersSinceThen(last.share()).others();
        System.out.println("RESULT " + JSON.writeValueAsString(java.util.Map.of("peak_rss", ResidentMemory.peakBytes(),
                "runtime_rss", runtime, "peak_anon", clock.peakAnonymousBytes(), "step_seconds", median(wall), "cpu_seconds", median(cpu),
                "others_cores", others, "load", last.loadAverage())));
    }

    private static double median(List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(Double::compare);
        return sorted.get(sorted.size() / 2);
    }
}
