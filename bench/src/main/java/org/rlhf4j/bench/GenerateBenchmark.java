package org.rlhf4j.bench;

import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.rlhf4j.core.generate.SamplingParams;
import org.rlhf4j.core.model.LlamaConfig;
import org.rlhf4j.core.model.LlamaModel;
import org.rlhf4j.core.model.ModelWeights;
import org.rlhf4j.core.rollout.DecodeMode;
import org.rlhf4j.core.rollout.EngineOptions;
import org.rlhf4j.core.rollout.RolloutBatch;
import org.rlhf4j.core.rollout.RolloutEngine;
import org.rlhf4j.core.rollout.RolloutListener;
import org.rlhf4j.core.rollout.StopCriteria;
import org.rlhf4j.core.runtime.Runtime;
import org.rlhf4j.core.tokenizer.ByteTokenizer;

/**
 * Generation speed of the rollout engine on the benchmark config (D=256, L=4, H=8, KV=4, F=768,
 * V=1024, random weights): tokens/s with the fused KV-cache decoder, with the KV cache through the
 * general forward pass (the unfused baseline) and with whole-sequence recompute, at batch 1 and 16
 * for 128 and 256 new tokens; per-token decode time at positions 16 and 256; the cost of sampling
 * over greedy; and 1 vs 2 decode threads.
 *
 * <p>{@code ./bench/run generate [--threads 1,2] [--batches 1,16] [--new-tokens 128,256] [--prompt 16]
 * [--repeats 3] [--no-recompute] [--cpu-time]}. Rows never stop early (no EOS), so every row produces all its tokens.
 */
public final class GenerateBenchmark {

    private static final String CONFIG = "{\"hidden_size\":256,\"intermediate_size\":768,\"num_hidden_layers\":4,"
            + "\"num_attention_heads\":8,\"num_key_value_heads\":4,\"vocab_size\":1024,\"rms_norm_eps\":1e-5,"
            + "\"max_position_embeddings\":2048}";
    private static final StopCriteria NEVER = StopCriteria.eos();

    // --cpu-time: this thread's CPU time instead of wall time. With one libtorch thread every op
    // runs on the calling thread, so it counts the decoder's work but not the time other processes
    // hold the cores (on a shared, loaded machine wall-time comparisons are noise).
    private static boolean cpuTime;
    private static final java.lang.management.ThreadMXBean CPU = java.lang.management.ManagementFactory
            .getThreadMXBean();

    private static long clock() {
        return cpuTime ? CPU.getCurrentThreadCpuTime() : System.nanoTime();
    }

    private GenerateBenchmark() {}

    public static void main(String[] args) {
        Runtime.configureOffline();
        int[] threads = {1, 2};
        int[] batches = {1, 16};
        int[] newTokens = {128, 256};
        int promptLength = 16;
        boolean recompute = true;
        int repeats = 3;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--threads" -> threads = ints(args[++i]);
                case "--batches" -> batches = ints(args[++i]);
                case "--new-tokens" -> newTokens = ints(args[++i]);
                case "--prompt" -> promptLength = Integer.parseInt(args[++i]);
                case "--no-recompute" -> recompute = false;
                case "--cpu-time" -> cpuTime = true;
                case "--repeats" -> repeats = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        int prompt = promptLength; // effectively final, for the lambdas
        LlamaConfig config = LlamaConfig.parse(CONFIG);
        ai.djl.engine.Engine.getInstance(); // loads libtorch before the first JniUtils call
        int processThreads = JniUtils.getNumThreads();
        System.out.printf("generate benchmark: D=%d L=%d H=%d KV=%d F=%d V=%d, prompt %d tokens, greedy, "
                + "libtorch intra-op threads %d, %d cores, load %.2f%n", config.hiddenSize(),
                config.numHiddenLayers(), config.numAttentionHeads(), config.numKeyValueHeads(),
                config.intermediateSize(), config.vocabSize(), promptLength, processThreads,
                java.lang.Runtime.getRuntime().availableProcessors(), loadAverage());
        try (NDManager root = NDManager.newBaseManager()) {
            LlamaModel model = new LlamaModel(ModelWeights.random(config, root, 0));
            ByteTokenizer tokenizer = new ByteTokenizer(); // decodes only; ids past 258 are skipped
            // Warm-up: JIT-compile the Java side and let libtorch allocate its pools for both shapes.
            for (int t : threads) {
                for (DecodeMode mode : List.of(DecodeMode.FUSED_KV_CACHE, DecodeMode.KV_CACHE)) {
                    run(model, tokenizer, root, 1, prompt, SamplingParams.greedy(128), mode, t);
                    run(model, tokenizer, root, 16, prompt, SamplingParams.greedy(64), mode, t);
                }
            }

            System.out.println("\n# tokens/s (B x new tokens / wall time, prefill included; best of " + repeats
                    + " runs, 1 for recompute at batch > 1). fused = the engine's default decoder,");
            System.out.println("# cache = the KV cache through the model's general forward pass (unfused baseline)");
            System.out.println("threads  batch  new  mode       tokens/s   ms/step");
            java.util.Map<String, Double> best = new java.util.HashMap<>();
            List<DecodeMode> modes = new ArrayList<>(List.of(DecodeMode.FUSED_KV_CACHE, DecodeMode.KV_CACHE));
            if (recompute) {
                modes.add(DecodeMode.RECOMPUTE);
            }
            for (int b : batches) {
                for (int n : newTokens) {
                    for (DecodeMode mode : modes) {
                        boolean slow = mode == DecodeMode.RECOMPUTE && b > 1;
                        for (int t : slow ? new int[] {threads[threads.length - 1]} : threads) {
                            Timing timing = best(slow ? 1 : repeats, () -> run(model, tokenizer, root, b, prompt,
                                    SamplingParams.greedy(n), mode, t));
                            report(timing, t, b, n, label(mode));
                            best.merge(label(mode) + " " + b + " " + n, timing.tokens() / timing.seconds(), Math::max);
                        }
                    }
                }
            }
            System.out.println("\n# speed-ups (best thread setting of each)");
            for (int b : batches) {
                for (int n : newTokens) {
                    double fused = best.get("fused " + b + " " + n);
                    System.out.printf("batch %2d, %3d new tokens: fused over unfused cache %.2fx", b, n,
                            fused / best.get("cache " + b + " " + n));
                    if (recompute) {
                        System.out.printf(", fused over recompute %.1fx, unfused cache over recompute %.1fx",
                                fused / best.get("recompute " + b + " " + n),
                                best.get("cache " + b + " " + n) / best.get("recompute " + b + " " + n));
                    }
                    System.out.println();
                }
            }

            System.out.println("\n# sampling (T=1, top-k 50, top-p 0.9) vs greedy, fused, 128 new tokens");
            for (int b : batches) {
                int t = threads[0];
                report(run(model, tokenizer, root, b, promptLength, new SamplingParams(128, 1.0, 50, 0.9, 1),
                        DecodeMode.FUSED_KV_CACHE, t), t, b, 128, "sampled");
            }

            System.out.println("\n# decode time per token by position (batch 1; median of 16 steps)");
            for (DecodeMode mode : List.of(DecodeMode.FUSED_KV_CACHE, DecodeMode.KV_CACHE)) {
                for (int t : threads) {
                    Timing timing = best(repeats, () -> run(model, tokenizer, root, 1, 8,
                            SamplingParams.greedy(280), mode, t));
                    System.out.printf("%-5s threads %d: position 16: %.2f ms, position 256: %.2f ms (ratio %.2f)%n",
                            label(mode), t, timing.medianAt(16, 8), timing.medianAt(256, 8),
                            timing.medianAt(256, 8) / timing.medianAt(16, 8));
                }
            }
            System.out.printf("%nload average at the end: %.2f%n", loadAverage());
        }
    }

    /** Wall time of one generation and the time of each step (step s feeds position P + s - 1 of row 0). */
    private record Timing(double seconds, long tokens, double[] stepMillis) {
        double medianAt(int position, int promptLength) {
            int first = position - promptLength + 1;
            double[] window = Arrays.copyOfRange(stepMillis, first, first + 16);
            Arrays.sort(window);
            return (window[7] + window[8]) / 2;
        }
    }

    private static Timing run(LlamaModel model, ByteTokenizer tokenizer, NDManager root, int batch,
            int promptLength, SamplingParams params, DecodeMode mode, int threads) {
        List<int[]> prompts = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            int[] prompt = new int[promptLength];
            for (int i = 0; i < promptLength; i++) {
                prompt[i] = (b * 31 + i * 7) % 1024;
            }
            prompts.add(prompt);
        }
        RolloutEngine engine = new RolloutEngine(model, tokenizer, new EngineOptions(mode, threads));
        double[] steps = new double[params.maxNewTokens()];
        long[] last = {clock()};
        RolloutListener timer = new RolloutListener() {
            @Override
            public void onStep(int step) {
                long now = clock();
                steps[step] = (now - last[0]) / 1e6;
                last[0] = now;
            }
        };
        int processThreads = JniUtils.getNumThreads();
        JniUtils.setNumThreads(threads); // the prefill too, so the figures are for one thread setting
        try (NDManager scope = root.newSubManager()) {
            long start = clock();
            last[0] = start;
            RolloutBatch out = engine.generate(prompts, params, NEVER, 0, timer, scope);
            double seconds = (clock() - start) / 1e9;
            long tokens = out.rows().stream().mapToLong(r -> r.responseIds().length).sum();
            return new Timing(seconds, tokens, steps);
        } finally {
            JniUtils.setNumThreads(processThreads);
        }
    }

    /** The fastest of {@code repeats} runs: on a shared machine the slower ones measure the neighbours. */
    private static Timing best(int repeats, java.util.function.Supplier<Timing> run) {
        Timing fastest = null;
        for (int i = 0; i < repeats; i++) {
            Timing t = run.get();
            if (fastest == null || t.seconds() < fastest.seconds()) {
                fastest = t;
            }
        }
        return fastest;
    }

    private static void report(Timing t, int threads, int batch, int newTokens, String mode) {
        double[] decode = Arrays.copyOfRange(t.stepMillis(), 1, t.stepMillis().length);
        double mean = Arrays.stream(decode).average().orElse(0);
        System.out.printf("%7d  %5d  %3d  %-9s  %9.1f  %8.2f%n", threads, batch, newTokens, mode,
                t.tokens() / t.seconds(), mean);
    }

    private static String label(DecodeMode mode) {
        return switch (mode) {
            case FUSED_KV_CACHE -> "fused";
            case KV_CACHE -> "cache";
            case RECOMPUTE -> "recompute";
        };
    }

    private static int[] ints(String csv) {
        return Arrays.stream(csv.split(",")).mapToInt(Integer::parseInt).toArray();
    }

    private static double loadAverage() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }
}
