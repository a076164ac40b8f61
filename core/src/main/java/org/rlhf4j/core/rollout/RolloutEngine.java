package org.rlhf4j.core.rollout;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.rlhf4j.core.config.UserException;
import org.rlhf4j.core.generate.DeviceSampler;
import org.rlhf4j.core.generate.SamplingParams;
import org.rlhf4j.core.model.AttentionMask;
import org.rlhf4j.core.model.FusedDecoder;
import org.rlhf4j.core.model.LlamaModel;
import org.rlhf4j.core.model.PreallocatedKvCache;
import org.rlhf4j.core.tokenizer.StreamingDecoder;
import org.rlhf4j.core.tokenizer.Tokenizer;

/**
 * Generates responses for a batch of prompts with the policy and a key/value cache, and hands
 * back a {@link RolloutBatch} that every other model of the stage scores as it is
 * ({@link RolloutScorer}).
 *
 * <p>Prompts are left-padded to the longest, run through the model together once (the
 * prefill), and then each step feeds one token per row. The cache holds (B, KV, P + N - 1, hd)
 * per layer, allocated once; every step works in its own sub-manager, so the number of live
 * arrays does not grow with the number of tokens. A row that has finished stays in the batch
 * and is fed a masked pad until every row is done (see the package documentation for why).
 *
 * <p>The log-probability recorded for each sampled token is
 * {@code log_softmax(logits / T)[token]} over the whole vocabulary, with T the sampling
 * temperature and T = 1 for greedy decoding; top-k and top-p restrict what may be drawn but not
 * this value. {@link RolloutScorer#logps} with the same temperature recomputes it, which is what
 * the PPO ratio needs.
 *
 * <p>Generation builds no autograd graph: call it outside a gradient collector, on the thread
 * that loaded the engine or one that turned grad mode off (DJL-NOTES item 4).
 */
public final class RolloutEngine {

    private static final NDIndex LAST_COLUMN = new NDIndex(":, -1:, :");

    private final LlamaModel policy;
    private final Tokenizer tokenizer;
    private final EngineOptions options;

    /** An engine that generates with {@code policy} and decodes with its {@code tokenizer}. */
    public RolloutEngine(LlamaModel policy, Tokenizer tokenizer, EngineOptions options) {
        if (!policy.hasLmHead()) {
            throw new UserException("the policy needs an LM head; "
                    + policy.config().architecture().hfName() + " has a scalar head only");
        }
        this.policy = policy;
        this.tokenizer = tokenizer;
        this.options = options;
    }

    public LlamaModel policy() {
        return policy;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public EngineOptions options() {
        return options;
    }

    /** {@link #generate(List, SamplingParams, StopCriteria, long, RolloutListener, NDManager)} for rows 0.. with no listener. */
    public RolloutBatch generate(List<int[]> prompts, SamplingParams params, StopCriteria stop, NDManager manager) {
        return generate(prompts, params, stop, 0, RolloutListener.NONE, manager);
    }

    /**
     * Generates one response per prompt.
     *
     * @param prompts token ids as fed to the model (template applied), each non-empty, unpadded
     * @param params sampling and {@code max_new_tokens}
     * @param stop what ends a row early
     * @param firstRow index of {@code prompts.get(0)} in the caller's whole list: row {@code r}
     *     draws from a generator seeded by {@code (params.seed(), firstRow + r)}, so the samples
     *     do not depend on how the caller splits its prompts into batches
     * @param listener sees every token (for streaming) and every step
     * @param manager receives the batch's arrays
     */
    public RolloutBatch generate(List<int[]> prompts, SamplingParams params, StopCriteria stop, long firstRow,
            RolloutListener listener, NDManager manager) {
        Run run = new Run(prompts, params, stop, firstRow);
        try (NDManager generation = manager.newSubManager();
                PreallocatedKvCache cache = options.decoding().cached()
                        ? PreallocatedKvCache.create(generation, policy.config(), run.batch, run.width - 1,
                                policy.weights().dataType())
                        : null;
                FusedDecoder fused = options.decoding() == DecodeMode.FUSED_KV_CACHE && params.maxNewTokens() > 1
                        ? FusedDecoder.of(policy, generation)
                        : null) {
            try (NDManager step = generation.newSubManager()) {
                run.sample(forwardLast(step, run, run.promptWidth, cache), 0, listener);
            }
            listener.onStep(0);
            int threads = JniUtils.getNumThreads();
            if (options.decodeThreads() > 0) {
                JniUtils.setNumThreads(options.decodeThreads());
            }
            try {
                for (int s = 1; s < params.maxNewTokens() && run.active > 0; s++) {
                    try (NDManager step = generation.newSubManager()) {
                        run.feed(s);
                        int slot = run.promptWidth + s - 1;
                        NDArray logits = cache == null ? forwardLast(step, run, slot + 1, null)
                                : decodeStep(step, run, slot, cache, fused);
                        run.sample(logits, s, listener);
                    }
                    listener.onStep(s);
                }
            } finally {
                if (options.decodeThreads() > 0) {
                    JniUtils.setNumThreads(threads);
                }
            }
        }
        return RolloutBatch.assemble(run.completions(), run.logps, run.sampler.logProbTemperature(), manager);
    }

    /**
     * Next-token logits (B, V) float32 after the first {@code length} columns of the run's ids and mask:
     * the prefill (with a cache) or a whole recompute (without).
     */
    private NDArray forwardLast(NDManager step, Run run, int length, PreallocatedKvCache cache) {
        int batch = run.batch;
        int width = run.width;
        long[] ids = run.ids;
        long[] mask = run.mask;
        long[] idsPrefix = new long[batch * length];
        long[] maskPrefix = new long[batch * length];
        for (int b = 0; b < batch; b++) {
            System.arraycopy(ids, b * width, idsPrefix, b * length, length);
            System.arraycopy(mask, b * width, maskPrefix, b * length, length);
        }
        Shape shape = new Shape(batch, length);
        NDArray idArray = step.create(idsPrefix, shape); // (B, T)
        NDArray maskArray = step.create(maskPrefix, shape); // (B, T)
        NDArray positions = AttentionMask.positionIds(maskArray); // (B, T)
        NDArray bias = AttentionMask.bias(maskArray, length, policy.config().effectiveSlidingWindow()); // (B, 1, T, T)
        NDArray hidden = policy.hidden(idArray, positions, bias, cache).get(LAST_COLUMN); // (B, 1, D)
        return policy.logits(hidden).toType(DataType.FLOAT32, false).reshape(batch, -1); // (B, V)
    }

    /**
     * One cached step: feeds column {@code slot} of every row, returns the logits (B, V) after it,
     * through {@code fused} if not null, else the model's general forward pass.
     */
    private NDArray decodeStep(NDManager step, Run run, int slot, PreallocatedKvCache cache, FusedDecoder fused) {
        int batch = run.batch;
        // The bias of one query over the key slots [0, slot] is built in Java: one array from Java
        // data costs one JNI call, the general AttentionMask.bias about ten.
        int keys = slot + 1;
        int window = policy.config().effectiveSlidingWindow();
        float[] bias = new float[batch * keys];
        for (int b = 0; b < batch; b++) {
            for (int j = 0; j < keys; j++) {
                boolean visible = j <= slot && run.mask[b * run.width + j] != 0 && (window > slot || j > slot - window);
                bias[b * keys + j] = visible ? 0 : AttentionMask.MASKED;
            }
        }
        if (fused != null) {
            return fused.step(run.feedIds, run.feedPositions, bias, cache, step); // (B, V)
        }
        NDArray ids = step.create(run.feedIds, new Shape(batch, 1)); // (B, 1)
        NDArray positions = step.create(run.feedPositions, new Shape(batch, 1)); // (B, 1)
        NDArray biasArray = step.create(bias, new Shape(batch, 1, 1, keys)); // (B, 1, 1, Tk)
        NDArray hidden = policy.hidden(ids, positions, biasArray, cache); // (B, 1, D)
        return policy.logits(hidden).toType(DataType.FLOAT32, false).reshape(batch, -1); // (B, V)
    }

    /** The Java-side state of one generation. */
    private final class Run {
        final int batch;
        final int promptWidth; // P
        final int maxNew; // N
        final int width; // P + N: room for every token fed plus the last one sampled
        final int vocab;
        final long[] ids; // (B, width) row-major: prompts left-padded, then sampled tokens
        final long[] mask; // (B, width) as fed so far
        final int[] promptLengths;
        final int[][] responses; // [B][N]
        final int[] produced;
        final float[] logps; // (B, N) row-major
        final FinishReason[] finish;
        final SplittableRandom[] random;
        final StreamingDecoder[] decoders; // only with stop strings
        final StringBuilder[] texts;
        final StopCriteria stop;
        final DeviceSampler sampler;
        final boolean greedy;
        final double[] uniforms; // (B) this step's draws, one per active row
        final long[] feedIds;
        final long[] feedPositions;
        int active;

        Run(List<int[]> prompts, SamplingParams params, StopCriteria stop, long firstRow) {
            this.batch = prompts.size();
            if (batch == 0) {
                throw new UserException("generate: no prompts");
            }
            this.vocab = policy.config().vocabSize();
            this.promptWidth = prompts.stream().mapToInt(p -> p.length).max().getAsInt();
            this.maxNew = params.maxNewTokens();
            this.width = promptWidth + maxNew;
            this.ids = new long[batch * width];
            this.mask = new long[batch * width];
            this.promptLengths = new int[batch];
            this.responses = new int[batch][maxNew];
            this.produced = new int[batch];
            this.logps = new float[batch * maxNew];
            this.finish = new FinishReason[batch];
            this.random = new SplittableRandom[batch];
            this.stop = stop;
            this.sampler = new DeviceSampler(params);
            this.greedy = params.isGreedy();
            this.uniforms = new double[batch];
            this.feedIds = new long[batch];
            this.feedPositions = new long[batch];
            boolean strings = !stop.stopStrings().isEmpty();
            this.decoders = strings ? new StreamingDecoder[batch] : null;
            this.texts = strings ? new StringBuilder[batch] : null;
            for (int b = 0; b < batch; b++) {
                int[] prompt = prompts.get(b);
                if (prompt.length == 0) {
                    throw new UserException("generate: prompt " + (firstRow + b) + " is empty");
                }
                int start = b * width + promptWidth - prompt.length;
                for (int i = 0; i < prompt.length; i++) {
                    if (prompt[i] < 0 || prompt[i] >= vocab) {
                        throw new UserException("generate: prompt " + (firstRow + b) + " has id "
                                + prompt[i] + ", outside the model's vocabulary [0, " + vocab + ")");
                    }
                    ids[start + i] = prompt[i];
                    mask[start + i] = 1;
                }
                promptLengths[b] = prompt.length;
                // Row seeds are the master generator's outputs firstRow + b + 1, reachable directly.
                long rowSeed = new SplittableRandom(params.seed() + 0x9E3779B97F4A7C15L * (firstRow + b)).nextLong();
                random[b] = new SplittableRandom(rowSeed);
                if (strings) {
                    decoders[b] = tokenizer.streamingDecoder(false);
                    texts[b] = new StringBuilder();
                }
            }
            this.active = batch;
        }

        /** Prepares column {@code P + s - 1}: active rows feed their last token, finished rows a masked pad. */
        void feed(int s) {
            int slot = promptWidth + s - 1;
            for (int b = 0; b < batch; b++) {
                boolean live = finish[b] == null;
                mask[b * width + slot] = live ? 1 : 0;
                feedIds[b] = live ? ids[b * width + slot] : RolloutBatch.PAD_ID;
                feedPositions[b] = live ? promptLengths[b] + s - 1 : 0;
            }
        }

        /**
         * Samples response token {@code s} of every active row from {@code logits} (B, V), on their
         * device; an active row draws one uniform from its own generator (none when greedy),
         * finished rows none, so a row's samples do not depend on the others.
         */
        void sample(NDArray logits, int s, RolloutListener listener) {
            for (int b = 0; b < batch; b++) {
                uniforms[b] = finish[b] == null && !greedy ? random[b].nextDouble() : 0;
            }
            DeviceSampler.Picks picks = sampler.next(logits, uniforms);
            for (int b = 0; b < batch; b++) {
                if (finish[b] != null) {
                    continue;
                }
                int token = picks.tokens()[b];
                responses[b][s] = token;
                logps[b * maxNew + s] = picks.logps()[b];
                produced[b] = s + 1;
                ids[b * width + promptWidth + s] = token;
                listener.onToken(b, token);
                FinishReason reason = stop.reasonFor(token);
                if (reason == null && decoders != null) {
                    String piece = decoders[b].push(token);
                    texts[b].append(piece);
                    if (!piece.isEmpty() && stop.matchesStopString(texts[b], piece.length())) {
                        reason = FinishReason.STOP;
                    }
                }
                if (reason == null && s + 1 == maxNew) {
                    reason = FinishReason.LENGTH;
                }
                if (reason != null) {
                    finish[b] = reason;
                    active--;
                }
            }
        }

        List<Completion> completions() {
            List<Completion> rows = new ArrayList<>(batch);
            for (int b = 0; b < batch; b++) {
                int start = b * width + promptWidth - promptLengths[b];
                int[] prompt = new int[promptLengths[b]];
                for (int i = 0; i < prompt.length; i++) {
                    prompt[i] = (int) ids[start + i];
                }
                int[] response = Arrays.copyOf(responses[b], produced[b]);
                String text = tokenizer.decode(response, true);
                if (finish[b] == FinishReason.STOP) {
                    text = stop.cutAtStopString(text);
                }
                rows.add(new Completion(prompt, response, text, finish[b]));
            }
            return rows;
        }
    }
}
