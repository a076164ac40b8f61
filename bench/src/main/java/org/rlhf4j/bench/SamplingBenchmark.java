package org.rlhf4j.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.List;
import java.util.SplittableRandom;
import org.rlhf4j.core.generate.DeviceSampler;
import org.rlhf4j.core.generate.SamplingParams;
import org.rlhf4j.core.generate.TokenSampler;
import org.rlhf4j.core.runtime.Runtime;

/**
 * Per-step cost of picking the next token of B rows from (B, V) float32 logits that live in
 * libtorch, as a decode step has them: before, the whole array copied to Java and
 * {@link TokenSampler} per row (the engine's sampler until this benchmark was written); after,
 * {@link DeviceSampler} (ops on the logits, B ids and log-probs copied back). Both draw the same
 * uniforms and the benchmark checks that they pick the same tokens.
 *
 * <p>Logits: Gaussian with standard deviation {@code --scale} (4), in 8 different arrays used in
 * turn; at V = 128k the top-p 0.9 nucleus of such rows is wider than 256 tokens, so most top-p
 * rows take the Java fallback (the worst case for the device sampler). One libtorch thread (the
 * engine's decode setting); times are this thread's CPU time, median of the steps. Each step is
 * timed twice: both paths in one loop on the same logits (the tokens compared), and each path in a
 * pass of its own, as a decoder runs it (no Java copy of the logits read just before).
 *
 * <p>{@code ./bench/run sampling [--vocabs 32000,128000] [--batch 16] [--steps 50] [--scale 4] [--ops]}
 */
public final class SamplingBenchmark {

    // CPU time of this thread: with one libtorch thread the ops run on it, and unlike wall time it
    // does not count the time other processes hold the cores (the shared machine's load is ~10-25).
    private static final java.lang.management.ThreadMXBean CPU = java.lang.management.ManagementFactory
            .getThreadMXBean();

    private SamplingBenchmark() {}

    public static void main(String[] args) {
        Runtime.configureOffline();
        int[] vocabs = {32000, 128000};
        int batch = 16;
        int steps = 50;
        double scale = 4;
        boolean ops = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--vocabs" -> vocabs = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
                case "--batch" -> batch = Integer.parseInt(args[++i]);
                case "--steps" -> steps = Integer.parseInt(args[++i]);
                case "--scale" -> scale = Double.parseDouble(args[++i]);
                case "--ops" -> ops = true;
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        ai.djl.engine.Engine.getInstance();
        JniUtils.setNumThreads(1);
        Machine machine = Machine.current();
        System.out.printf("sampling benchmark: B=%d, logits N(0, %.1f^2), %d steps (median thread CPU time, after 10 "
                + "warm-up), 1 libtorch thread; %s, %d cores, load %.2f%n", batch, scale, steps, machine.cpuModel(),
                machine.cores(), machine.loadAverage());
        System.out.println("| V | sampling | before: copy + Java (ms/step) | after: on the device (ms/step) | after / before |"
                + " before, own pass | after, own pass | after / before, own passes | Java fallback rows |");
        System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        List<SamplingParams> modes = List.of(SamplingParams.greedy(1), new SamplingParams(1, 1, 0, 1, 0),
                new SamplingParams(1, 0.7, 50, 1, 0), new SamplingParams(1, 1, 0, 0.9, 0),
                new SamplingParams(1, 0.7, 50, 0.9, 0));
        try (NDManager root = NDManager.newBaseManager()) {
            for (int vocab : vocabs) {
                NDArray[] logits = new NDArray[8];
                SplittableRandom random = new SplittableRandom(vocab);
                for (int i = 0; i < logits.length; i++) {
                    float[] values = new float[batch * vocab];
                    for (int j = 0; j < values.length; j++) {
                        values[j] = (float) (scale * random.nextGaussian());
                    }
                    logits[i] = root.create(values, new Shape(batch, vocab));
                }
                for (SamplingParams params : modes) {
                    measure(params, logits, batch, vocab, steps);
                }
                if (ops) {
                    opCosts(logits, batch, vocab, steps);
                }
            }
        }
    }

    private static void measure(SamplingParams params, NDArray[] logits, int batch, int vocab, int steps) {
        TokenSampler java = new TokenSampler(params);
        DeviceSampler device = new DeviceSampler(params);
        SplittableRandom random = new SplittableRandom(7);
        double[] before = new double[steps];
        double[] after = new double[steps];
        int mismatches = 0;
        for (int s = -10; s < steps; s++) {
            NDArray step = logits[Math.floorMod(s, logits.length)];
            double[] u = random.doubles(batch).toArray();
            Timed javaPick = javaStep(java, step, u, vocab);
            Timed devicePick = deviceStep(device, step, u);
            if (s >= 0) {
                before[s] = javaPick.ms();
                after[s] = devicePick.ms();
            }
            if (!Arrays.equals(javaPick.tokens(), devicePick.tokens())) {
                mismatches++;
            }
        }
        // The same steps once more, each path in a pass of its own: in the loop above the device path
        // runs on logits the Java path has just copied and read (its cache state and its garbage), which
        // a decoder, whose logits come from the LM head, never does.
        double[] beforeAlone = pass(logits, batch, steps, (step, u) -> javaStep(java, step, u, vocab));
        double[] afterAlone = pass(logits, batch, steps, (step, u) -> deviceStep(device, step, u));
        double b = median(before);
        double a = median(after);
        double bAlone = median(beforeAlone);
        double aAlone = median(afterAlone);
        String name = params.isGreedy() ? "greedy" : String.format("T=%s%s%s", params.temperature(),
                params.topK() > 0 ? " top-k " + params.topK() : "", params.topP() < 1 ? " top-p " + params.topP() : "");
        System.out.printf("| %,d | %s | %.2f | %.2f | %.0f%% | %.2f | %.2f | %.0f%% | %d of %d%s |%n", vocab, name, b, a,
                100 * a / b, bAlone, aAlone, 100 * aAlone / bAlone, device.fallbackRows(), 2 * (steps + 10) * batch,
                mismatches == 0 ? "" : ", " + mismatches + " steps differ");
    }

    /** One step's tokens and the thread CPU time it took. */
    private record Timed(int[] tokens, double ms) {}

    /** Before: the logits copied to Java and sampled row by row. */
    private static Timed javaStep(TokenSampler java, NDArray step, double[] u, int vocab) {
        long t0 = CPU.getCurrentThreadCpuTime();
        float[] copy = step.toFloatArray();
        int[] tokens = new int[u.length];
        for (int b = 0; b < u.length; b++) {
            tokens[b] = java.next(copy, b * vocab, vocab, u[b]);
        }
        return new Timed(tokens, (CPU.getCurrentThreadCpuTime() - t0) / 1e6);
    }

    /** After: sampled on the device, in a scope of the step's own (closed within the time). */
    private static Timed deviceStep(DeviceSampler device, NDArray step, double[] u) {
        long t0 = CPU.getCurrentThreadCpuTime();
        int[] tokens;
        try (NDManager scope = step.getManager().newSubManager()) {
            NDArray view = step.reshape(step.getShape()); // ops land in the step's scope
            view.attach(scope);
            tokens = device.next(view, u).tokens();
        }
        return new Timed(tokens, (CPU.getCurrentThreadCpuTime() - t0) / 1e6);
    }

    /** The times of {@code steps} steps of {@code path} alone (after 10 warm-up), on the same uniforms as {@link #measure}. */
    private static double[] pass(NDArray[] logits, int batch, int steps, BiFunction<NDArray, double[], Timed> path) {
        SplittableRandom random = new SplittableRandom(7);
        double[] times = new double[steps];
        for (int s = -10; s < steps; s++) {
            Timed t = path.apply(logits[Math.floorMod(s, logits.length)], random.doubles(batch).toArray());
            if (s >= 0) {
                times[s] = t.ms();
            }
        }
        return times;
    }

    /**
     * The single ops a device step is made of, each on its own (the floor a sampler built from DJL's ops
     * cannot go below): a max over the vocabulary's blocks, {@code logSoftmax} (the full-vocabulary
     * normaliser every reported log-prob needs), {@code topK(51)}, and the cost of a fresh (B, V) output
     * itself: {@code neg} (a new array) against {@code negi} (in place).
     */
    private static void opCosts(NDArray[] logits, int batch, int vocab, int steps) {
        int block = DeviceSampler.blockSize(vocab);
        Map<String, Function<NDArray, NDArray>> ops = new LinkedHashMap<>();
        ops.put("max over blocks of " + block, x -> x.reshape(batch, vocab / block, block).max(new int[] {2}));
        ops.put("logSoftmax", x -> x.logSoftmax(1));
        ops.put("topK(51)", x -> x.topK(51, 1, true, true).get(0));
        ops.put("neg (new (B, V) array)", NDArray::neg);
        ops.put("negi (in place)", NDArray::negi);
        for (Map.Entry<String, Function<NDArray, NDArray>> op : ops.entrySet()) {
            double[] times = new double[steps];
            for (int s = -10; s < steps; s++) {
                NDArray step = logits[Math.floorMod(s, logits.length)];
                long t0;
                long t1;
                try (NDManager scope = step.getManager().newSubManager()) {
                    NDArray view = step.reshape(step.getShape());
                    view.attach(scope);
                    t0 = CPU.getCurrentThreadCpuTime();
                    op.getValue().apply(view);
                    t1 = CPU.getCurrentThreadCpuTime();
                }
                if (s >= 0) {
                    times[s] = (t1 - t0) / 1e6;
                }
            }
            System.out.printf("| %,d | op: %s | | %.2f | | | | | |%n", vocab, op.getKey(), median(times));
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
