package org.rlhf4j.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.rlhf4j.core.kernels.ScaledDotProductAttention;
import org.rlhf4j.core.kernels.TorchBridge;
import org.rlhf4j.core.model.LlamaConfig;
import org.rlhf4j.core.model.LlamaModel;
import org.rlhf4j.core.model.ModelWeights;
import org.rlhf4j.core.model.TokenLogps;
import org.rlhf4j.core.optim.AdamW;
import org.rlhf4j.core.optim.AdamWConfig;
import org.rlhf4j.core.optim.GradientClipping;
import org.rlhf4j.core.runtime.NumericMode;

/**
 * Times full causal-LM training steps of a small Llama on the CPU: forward, mean next-token
 * cross-entropy, backward, global-norm clipping and AdamW, the loop every rlhf4j stage runs.
 *
 * <p>The model is fixed (D 256, 4 layers, 8 query / 4 key-value heads, SwiGLU F 768, V 1024,
 * untied head, float32) and so are the random weights and token batches (seed {@link #SEED}),
 * so that runs on different machines or commits compare like with like; only the batch shape
 * and the thread count are options. Each step runs in its own sub-manager, as the trainers do,
 * and the report shows resident memory and live array counts so a reader can see they stay
 * flat. The achieved GFLOP/s is set against a large matmul timed in the same process, the
 * ceiling this libtorch reaches on this machine.
 */
public final class TrainStepBenchmark {

    /** Seed of the weights and of the token stream. */
    static final long SEED = 42;
    static final double LEARNING_RATE = 3e-4;
    static final double WEIGHT_DECAY = 0.1;
    static final double MAX_GRAD_NORM = 1.0;
    static final int MATMUL_SIZE = 2048;
    static final int MATMUL_REPETITIONS = 5;

    // Strings parsed once: NDIndex parsing costs a few microseconds per call (DJL-NOTES).
    private static final NDIndex ALL_BUT_LAST = new NDIndex(":, :-1");
    private static final NDIndex ALL_BUT_FIRST = new NDIndex(":, 1:");

    /** Wall-clock milliseconds of one step and its phases, plus what the step computed. */
    record StepTimes(double total, double forward, double backward, double optimizer, float loss, double gradNorm) {

        /** Time outside the three phases: uploading the batch, attaching and closing the step scope. */
        double other() {
            return total - forward - backward - optimizer;
        }
    }

    /** Resident memory and live arrays at one moment. */
    record MemoryPoint(String label, double residentMib, int rootArrays, int systemArrays) {}

    private final BenchmarkOptions options;
    private final NDManager root;
    private final ModelWeights weights;
    private final LlamaModel model;
    private final AdamW optimizer;

    private TrainStepBenchmark(BenchmarkOptions options, NDManager root) {
        this.options = options;
        this.root = root;
        this.weights = ModelWeights.random(benchmarkConfig(options.seq()), root, SEED);
        weights.setRequiresGradient(true);
        this.model = new LlamaModel(weights);
        this.optimizer = new AdamW(weights.asMap(), AdamWConfig.withWeightDecay(WEIGHT_DECAY), root);
    }

    /** The benchmark model: hidden 256, 4 layers, 8 heads, 4 KV heads, SwiGLU 768, vocab 1024, float32. */
    static LlamaConfig benchmarkConfig(int seq) {
        return LlamaConfig.parse("{\"architectures\":[\"LlamaForCausalLM\"],\"model_type\":\"llama\","
                + "\"hidden_size\":256,\"intermediate_size\":768,\"num_hidden_layers\":4,"
                + "\"num_attention_heads\":8,\"num_key_value_heads\":4,\"vocab_size\":1024,"
                + "\"max_position_embeddings\":" + Math.max(2048, seq) + ","
                + "\"tie_word_embeddings\":false,\"torch_dtype\":\"float32\",\"hidden_act\":\"silu\"}");
    }

    public static void main(String[] args) throws JsonProcessingException {
        BenchmarkOptions options;
        try {
            options = BenchmarkOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        if (options.threads() > 0) {
            // Read by the PyTorch engine when it loads, just below.
            System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(options.threads()));
        }
        org.rlhf4j.core.runtime.Runtime.configureOffline();
        Engine.getInstance(); // loads libtorch, which reads the thread property
        if (options.threads() > 0 && JniUtils.getNumThreads() != options.threads()) {
            JniUtils.setNumThreads(options.threads()); // the engine had been loaded before the property was set
        }
        Machine machine = Machine.current();
        try (NDManager root = NDManager.newBaseManager()) {
            new TrainStepBenchmark(options, root).run(machine);
        }
    }

    private void run(Machine machine) throws JsonProcessingException {
        List<long[]> batches = randomBatches(options.warmup() + options.steps());
        List<MemoryPoint> memory = new ArrayList<>();
        memory.add(memoryPoint("after set-up"));

        for (int i = 0; i < options.warmup(); i++) {
            trainStep(batches.get(i));
        }
        memory.add(memoryPoint("after warm-up"));

        List<StepTimes> measured = new ArrayList<>();
        CpuShare cpuBefore = CpuShare.start();
        long processCpuBefore = processCpuNanos();
        for (int i = 0; i < options.steps(); i++) {
            measured.add(trainStep(batches.get(options.warmup() + i)));
        }
        // CPU time barely moves when other processes share the cores, unlike wall time: the figure
        // to compare runs taken on a busy machine (e.g. the reproducible mode on and off)
        double cpuMsPerStep = (processCpuNanos() - processCpuBefore) / 1e6 / options.steps();
        CpuShare.Interval othersCpu = cpuBefore.othersSince();
        memory.add(memoryPoint("after " + options.steps() + " steps"));
        double peakMib = ProcessMemory.peakResidentMib();

        // After the steps, so that its buffers do not show in the memory figures above.
        Summary matmulMs = MatmulReference.timeMatmul(root, MATMUL_SIZE, MATMUL_REPETITIONS);
        new Report(options, machine, weights, measured, memory, peakMib, matmulMs, othersCpu,
                Machine.currentLoadAverage(), cpuMsPerStep).print();
    }

    /** Which attention the steps run: the DJL composition, or libtorch's SDPA in the selected mode. */
    static String attention() {
        if (!ScaledDotProductAttention.available(DataType.FLOAT32)) {
            return "DJL composition (" + TorchBridge.status().description() + ")";
        }
        return "libtorch SDPA, -D" + ScaledDotProductAttention.MODE_PROPERTY + "="
                + ScaledDotProductAttention.Mode.current().name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** CPU time of the whole process (every thread, libtorch's included), nanoseconds. */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /**
     * One training step over {@code tokens} (B x (T + 1) ids, row-major): inputs are the first T
     * of each row, targets the last T. Every array the step creates dies with its scope.
     */
    private StepTimes trainStep(long[] tokens) {
        long start = System.nanoTime();
        double forwardMs;
        double backwardMs;
        double optimizerMs;
        float loss;
        double gradNorm;
        try (NDManager step = root.newSubManager()) {
            // Borrowed for the step, so that transposes, gradient wrappers and clipping temporaries
            // land here and not in the long-lived root (DJL-NOTES, Memory).
            step.tempAttachAll(weights.asList());
            NDArray sequence = step.create(tokens, new Shape(options.batch(), options.seq() + 1L)); // (B, T+1)
            NDArray inputs = sequence.get(ALL_BUT_LAST); // (B, T)
            NDArray targets = sequence.get(ALL_BUT_FIRST); // (B, T)
            NDArray lossArray;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                long t0 = System.nanoTime();
                lossArray = forward(inputs, targets);
                long t1 = System.nanoTime();
                backward(collector, lossArray);
                long t2 = System.nanoTime();
                forwardMs = (t1 - t0) / 1e6;
                backwardMs = (t2 - t1) / 1e6;
            }
            long t3 = System.nanoTime();
            gradNorm = optimizerStep();
            optimizerMs = (System.nanoTime() - t3) / 1e6;
            loss = lossArray.getFloat(); // read after the clock: a trainer logs it only every few steps
        }
        double totalMs = (System.nanoTime() - start) / 1e6;
        return new StepTimes(totalMs, forwardMs, backwardMs, optimizerMs, loss, gradNorm);
    }

    /**
     * Forward pass and loss: {@code -mean(log p(target))} over all B x T positions, the mean token
     * cross-entropy (no padding here, so no mask). Libtorch CPU ops are synchronous, so the
     * clock around this measures the work, not its queuing.
     */
    private NDArray forward(NDArray inputs, NDArray targets) {
        NDArray logits = model.logits(model.hidden(inputs, null)); // (B, T, V)
        NDArray logps = TokenLogps.of(logits, targets); // (B, T) float32
        return logps.mean().neg(); // ()
    }

    /**
     * Backward from the scalar loss: libtorch accumulates into every weight's gradient, which the
     * previous step's AdamW left zeroed, so no separate zero-grad pass is timed.
     */
    private static void backward(GradientCollector collector, NDArray loss) {
        collector.backward(loss);
    }

    /** Clip at {@link #MAX_GRAD_NORM}, then AdamW (which zeroes the gradients); returns the norm before clipping. */
    private double optimizerStep() {
        double norm = GradientClipping.clipGlobalNorm(weights.asMap(), MAX_GRAD_NORM);
        optimizer.step(LEARNING_RATE);
        return norm;
    }

    /** {@code count} batches of B x (T + 1) uniform random ids, one fixed stream from {@link #SEED}. */
    private List<long[]> randomBatches(int count) {
        SplittableRandom random = new SplittableRandom(SEED);
        int vocab = weights.config().vocabSize();
        List<long[]> batches = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long[] ids = new long[options.batch() * (options.seq() + 1)];
            for (int j = 0; j < ids.length; j++) {
                ids[j] = random.nextInt(vocab);
            }
            batches.add(ids);
        }
        return batches;
    }

    private MemoryPoint memoryPoint(String label) {
        // The root's count includes the AdamW state in its sub-manager; the system manager's count
        // would also catch arrays that escaped to another base manager.
        return new MemoryPoint(label, ProcessMemory.residentMib(), root.getManagedArrays().size(),
                root.getParentManager().getManagedArrays().size());
    }

    /** Formats the figures as a plain-text table and a one-line JSON summary. */
    private record Report(BenchmarkOptions options, Machine machine, ModelWeights weights, List<StepTimes> steps,
            List<MemoryPoint> memory, double peakMib, Summary matmulMs, CpuShare.Interval othersCpu,
            double loadAtEnd, double cpuMsPerStep) {

        void print() throws JsonProcessingException {
            LlamaConfig c = weights.config();
            TrainStepFlops flops = TrainStepFlops.of(c, options.batch(), options.seq());
            Summary total = summarize(StepTimes::total);
            Summary forward = summarize(StepTimes::forward);
            Summary backward = summarize(StepTimes::backward);
            Summary optimizer = summarize(StepTimes::optimizer);
            Summary other = summarize(StepTimes::other);
            double tokensPerSecond = options.tokensPerStep() / (total.median() / 1000.0);
            double achievedGflops = flops.total() / (total.median() / 1000.0) / 1e9;
            double referenceGflops = MatmulReference.gflops(MATMUL_SIZE, matmulMs.median());

            line("rlhf4j train-step benchmark");
            line("machine      %d cores, %s", machine.cores(), machine.cpuModel());
            line("software     Java %s, DJL %s, PyTorch %s, intra-op threads %d%s", machine.javaVersion(),
                    machine.djlVersion(), machine.pytorchVersion(), machine.intraOpThreads(),
                    options.threads() == 0 ? " (libtorch default)" : "");
            line("OpenMP env   %s", machine.openMpEnvironment());
            line("%s", NumericMode.current().describe());
            line("attention    %s", attention());
            line("load avg     %.2f at start, %.2f at end (1 min, this process included)",
                    machine.loadAverage(), loadAtEnd);
            line("model        Llama D %d, L %d, H %d / KV %d (hd %d), SwiGLU F %d, V %d, untied head, %s",
                    c.hiddenSize(), c.numHiddenLayers(), c.numAttentionHeads(), c.numKeyValueHeads(), c.headDim(),
                    c.intermediateSize(), c.vocabSize(), weights.dataType().toString().toLowerCase(Locale.ROOT));
            line("             %,d parameters, %,d of them in matmuls (N_mm); random weights and tokens, seed %d",
                    weights.parameterCount(), flops.matmulParameters(), SEED);
            line("step         B %d x T %d = %,d tokens; forward, -mean(token logp), backward, clip %.1f, AdamW lr %.0e wd %.1f",
                    options.batch(), options.seq(), options.tokensPerStep(), MAX_GRAD_NORM, LEARNING_RATE, WEIGHT_DECAY);
            line("runs         %d warm-up + %d measured steps", options.warmup(), options.steps());
            line("");
            line("%-28s %9s %9s %9s %9s", "time per step (ms)", "median", "p10", "p90", "mean");
            row("step", total);
            row("  forward + loss", forward);
            row("  backward", backward);
            row("  optimizer (clip + AdamW)", optimizer);
            row("  other (batch, scope)", other);
            line("%-28s %9.1f (process CPU time over the measured steps / steps)", "CPU time per step (ms)",
                    cpuMsPerStep);
            line("");
            line("%-28s %,.0f tokens/s (at the median step)", "throughput", tokensPerSecond);
            line("%-28s %.2f GFLOP = %.2f linear + %.2f attention", "model FLOPs per step",
                    flops.total() / 1e9, flops.linear() / 1e9, flops.attention() / 1e9);
            line("%-28s %s", "", TrainStepFlops.FORMULA);
            line("%-28s %.1f GFLOP/s", "achieved", achievedGflops);
            line("%-28s %.1f GFLOP/s: (%dx%d)x(%dx%d) float32 matMul, median of %d (%.1f ms each)",
                    "matmul reference", referenceGflops, MATMUL_SIZE, MATMUL_SIZE, MATMUL_SIZE, MATMUL_SIZE,
                    MATMUL_REPETITIONS, matmulMs.median());
            line("%-28s %.1f %%", "fraction of reference", 100 * achievedGflops / referenceGflops);
            line("%-28s %.2f cores by other processes, %.2f stolen by the hypervisor", "CPU not ours (measured)",
                    othersCpu.others(), othersCpu.steal());
            line("");
            line("%-28s %10s %13s %15s", "memory", "RSS (MiB)", "root arrays", "system arrays");
            for (MemoryPoint m : memory) {
                line("%-28s %10.1f %13d %15d", m.label(), m.residentMib(), m.rootArrays(), m.systemArrays());
            }
            line("%-28s %10.1f", "peak RSS (VmHWM)", peakMib);
            line("");
            StepTimes first = steps.get(0);
            StepTimes last = steps.get(steps.size() - 1);
            line("%-28s %.4f -> %.4f (ln V = %.4f for uniform predictions)", "loss, first -> last measured",
                    first.loss(), last.loss(), Math.log(c.vocabSize()));
            line("%-28s %.3f -> %.3f", "grad norm before clipping", first.gradNorm(), last.gradNorm());
            line("");
            line("JSON %s", json(machine, total, forward, backward, optimizer, tokensPerSecond, flops,
                    achievedGflops, referenceGflops, loadAtEnd));
        }

        private String json(Machine machine, Summary total, Summary forward, Summary backward, Summary optimizer,
                double tokensPerSecond, TrainStepFlops flops, double achievedGflops, double referenceGflops,
                double loadAtEnd) throws JsonProcessingException {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("benchmark", "train-step");
            out.put("cpu", machine.cpuModel());
            out.put("cores", machine.cores());
            out.put("threads", machine.intraOpThreads());
            out.put("java", machine.javaVersion());
            out.put("djl", machine.djlVersion());
            out.put("pytorch", machine.pytorchVersion());
            out.put("openmp_env", machine.openMpEnvironment());
            out.put("batch", options.batch());
            out.put("seq", options.seq());
            out.put("steps", options.steps());
            out.put("ms_step_median", round(total.median(), 1));
            out.put("ms_step_p10", round(total.p10(), 1));
            out.put("ms_step_p90", round(total.p90(), 1));
            out.put("ms_step_mean", round(total.mean(), 1));
            out.put("ms_forward", round(forward.median(), 1));
            out.put("ms_backward", round(backward.median(), 1));
            out.put("ms_optimizer", round(optimizer.median(), 1));
            out.put("tokens_per_s", Math.round(tokensPerSecond));
            out.put("gflop_per_step", round(flops.total() / 1e9, 2));
            out.put("gflops", round(achievedGflops, 1));
            out.put("matmul_gflops", round(referenceGflops, 1));
            out.put("fraction_of_matmul", round(achievedGflops / referenceGflops, 3));
            out.put("rss_mib_after_warmup", Math.round(memory.get(1).residentMib()));
            out.put("rss_mib_end", Math.round(memory.get(memory.size() - 1).residentMib()));
            out.put("root_arrays_start", memory.get(0).rootArrays());
            out.put("root_arrays_end", memory.get(memory.size() - 1).rootArrays());
            out.put("others_cores", round(othersCpu.others(), 2));
            out.put("steal_cores", round(othersCpu.steal(), 2));
            out.put("attention", attention());
            out.put("load_avg_start", round(machine.loadAverage(), 2));
            out.put("load_avg_end", round(loadAtEnd, 2));
            return new ObjectMapper().writeValueAsString(out);
        }

        private Summary summarize(java.util.function.ToDoubleFunction<StepTimes> phase) {
            return Summary.of(steps.stream().mapToDouble(phase).toArray());
        }

        private static void row(String label, Summary s) {
            line("%-28s %9.1f %9.1f %9.1f %9.1f", label, s.median(), s.p10(), s.p90(), s.mean());
        }

        private static void line(String format, Object... args) {
            System.out.println(String.format(Locale.ROOT, format, args));
        }

        private static double round(double value, int decimals) {
            double scale = Math.pow(10, decimals);
            return Math.round(value * scale) / scale;
        }
    }
}
