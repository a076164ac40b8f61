package org.rlhf4j.core.plan;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.rlhf4j.core.model.LlamaConfig;
import org.rlhf4j.core.model.MemoryOptions;
import org.rlhf4j.core.model.WeightLayout;

/**
 * Predicts a training run's peak resident memory by component from the model's shape and the
 * run's switches, counting what rlhf4j's forward and backward keep alive (every op's result stays
 * until its micro-batch's manager closes, not only what autograd saves):
 *
 * <ul>
 *   <li>weights {@code N * b}, and the checkpoint file's size again: it is read through memory maps
 *       whose pages stay resident until a garbage collection unmaps them; gradients {@code N_trainable * b}; AdamW's two float32 moments
 *       {@code 8 * N_trainable}; a LoRA run's N_trainable is {@code r * (in + out)} per adapted
 *       projection;
 *   <li>activations per layer and token, counted from {@code DecoderLayer}'s ops:
 *       {@code 10 D + 9 Q + 6 K + 5 F} values plus {@code 3 H T} float32 attention scores
 *       (Q = H hd, K = KV hd), plus each adapted projection's input again with LoRA dropout, and
 *       2 more layers' worth for the backward's transient gradients and the allocator's slack;
 *       with checkpointing, {@code L} layer inputs plus 3 layers' worth (both fitted to measured
 *       peaks);
 *   <li>logits: two float32 arrays of (tokens, V) at the peak, the logits and their log-softmax
 *       (three with PPO's entropy), of one chunk with a chunked head;
 *   <li>copies: a frozen reference's or reward model's weights; a critic's weights, gradients,
 *       moments and activations; the rollout KV cache {@code 2 L K b} per slot;
 *   <li>the runtime: libtorch and the JVM, 0.17-0.18 GiB resident after libtorch loads (measured by
 *       {@code bench/run plan-check}) plus the JVM heap's growth and the tokenizer: {@value #RUNTIME_MIB} MiB.
 * </ul>
 *
 * The optimizer phase (after the micro-batches' activations are freed) needs three temporaries
 * of the largest trained parameter; the peak is the larger of the two phases.
 */
public final class MemoryPlanner {

    /** Resident memory of a process with the JVM, libtorch and a tokenizer loaded, before weights. */
    static final int RUNTIME_MIB = 300;

    private MemoryPlanner() {}

    public static MemoryPlan plan(PlanInputs in) {
        LlamaConfig c = in.model();
        int b = in.bytesPerValue();
        long d = c.hiddenSize();
        long layers = c.numHiddenLayers();
        long q = (long) c.numAttentionHeads() * c.headDim();
        long k = (long) c.numKeyValueHeads() * c.headDim();
        long f = c.intermediateSize();
        long v = c.vocabSize();
        long params = 0;
        long largest = 0;
        for (long[] shape : WeightLayout.expectedShapes(c).values()) {
            long n = 1;
            for (long s : shape) {
                n *= s;
            }
            params += n;
            largest = Math.max(largest, n);
        }
        long trainable = in.loraRank() > 0 ? loraParams(in.loraRank(), in.loraTargets(), c, d, q, k, f) : params;
        // AdamW's temporaries are those of the largest parameter it updates: with LoRA an adapter
        // matrix (r x max(in, out)), not the frozen embedding
        long largestTrainable = in.loraRank() > 0 ? in.loraRank() * Math.max(d, Math.max(f, q)) : largest;
        boolean lmHead = !c.architecture().hasScalarHead();
        // rows of one training forward: DPO scores chosen and rejected together; PPO a minibatch
        long rows = switch (in.stage()) {
            case DPO, RM -> 2L * in.batchSize();
            case PPO -> in.miniBatch();
            case SFT -> in.batchSize();
        };
        long t = in.seqLen();
        long tokens = rows * t;
        long perLayerToken = (10 * d + 9 * q + 6 * k + 5 * f + loraDropoutValues(in, d, q, k, f)) * b
                + 3L * c.numAttentionHeads() * t * 4;
        long layerBytes = perLayerToken * tokens;
        // the backward's transient gradients and allocator slack, in layers' worth: fitted to the
        // measured peaks of bench/run plan-check on the medium shape (2 without, 3 with checkpointing)
        long activations = in.memory().gradientCheckpointing()
                ? layers * tokens * d * b + 3 * layerBytes
                : (layers + 2) * layerBytes;
        activations += tokens * 4 * d * b; // embeddings, final norm
        // (tokens, V) float32 arrays alive at the peak, which falls in the layers' backward after the
        // head's own gradients are freed: the logits and their log-softmax, both kept by the step's
        // manager (TokenLogps; counting only one under-predicted every unchunked Qwen-shape run of
        // bench/run real-shapes by about one (tokens, V) array); PPO's entropy adds one
        long headArrays = in.stage() == PlanInputs.Stage.PPO ? 3 : 2;
        long headTokens = in.memory().chunks(tokens, v) ? in.memory().chunkTokens() : tokens;
        long logits = lmHead ? headArrays * headTokens * v * 4 : 0;

        Map<String, Long> parts = new LinkedHashMap<>();
        parts.put("runtime", (long) RUNTIME_MIB << 20);
        parts.put("weights", params * (in.loraRank() > 0 ? in.baseBytes() : b));
        if (in.loraRank() > 0 && in.baseBytes() < b) {
            // on the CPU each frozen half projection is widened to float32 for its matmul, and autograd
            // keeps the widened copy until that layer's backward: all layers', or one with checkpointing
            // (HalfBaseTest; bench/run lora --modes lora-fp16)
            long widened = in.memory().gradientCheckpointing() ? params / Math.max(1, layers) : params;
            parts.put("widened half base", widened * b);
        }
        // safetensors are read through memory maps, whose pages stay resident until a GC unmaps them
        parts.put("mapped checkpoint file", params * fileBytes(c));
        parts.put("gradients", trainable * b);
        parts.put("optimizer (AdamW)", trainable * 8);
        long stepPhase = activations + logits;
        long updatePhase = 3 * largestTrainable * 4;
        if (stepPhase >= updatePhase) {
            parts.put("activations", activations);
            parts.put("logits", logits);
        } else {
            parts.put("optimizer temporaries", updatePhase);
        }
        if (in.referenceCopy()) {
            parts.put("reference copy", params * b);
        }
        if (in.critic() && in.criticLoraRank() > 0) {
            // adapters and a value head on a base already held (the policy's or a reward model's)
            long adapters = loraParams(in.criticLoraRank(), in.criticLoraTargets(), c, d, q, k, f) + d;
            parts.put("critic (LoRA)", adapters * (b + b + 8) + activations);
        } else if (in.critic()) {
            parts.put("critic", params * b + params * (b + 8) + activations);
        }
        if (in.rewardModels() > 0) {
            parts.put("reward models", in.rewardModels() * params * b);
        }
        if (in.stage() == PlanInputs.Stage.PPO) {
            parts.put("rollout KV cache", 2 * layers * k * b * in.batchSize() * t);
        }
        return new MemoryPlan(in, parts, flops(in, params, tokens, d, layers, v, lmHead) * stepTokensFactor(in, rows));
    }

    /** Bytes per value of the checkpoint's files, from config.json's {@code torch_dtype} (float32 when absent). */
    private static int fileBytes(LlamaConfig c) {
        String dtype = c.torchDtype() == null ? "float32" : c.torchDtype();
        return dtype.equals("bfloat16") || dtype.equals("float16") ? 2 : 4;
    }

    /** Micro-batches (or PPO minibatches) per optimizer step. */
    private static double stepTokensFactor(PlanInputs in, long rows) {
        return in.stage() == PlanInputs.Stage.PPO ? 1 : in.gradAccum();
    }

    /**
     * One micro-batch's training FLOPs: {@code 6 N} per token for the matmuls (2 forward, 4
     * backward; 4 with frozen base weights, whose weight gradients are not computed), attention's
     * {@code 12 L H hd T} per token, plus the recomputed forwards of checkpointing and the chunked head.
     */
    private static double flops(PlanInputs in, long params, long tokens, long d, long layers, long v, boolean lmHead) {
        LlamaConfig c = in.model();
        // the embedding lookup is no matmul, unless the head is tied to it
        double matmulParams = params - (lmHead && c.tieWordEmbeddings() ? 0 : (double) v * d);
        double perToken = (in.loraRank() > 0 ? 4 : 6) * matmulParams;
        double attention = 12.0 * layers * c.numAttentionHeads() * c.headDim() * in.seqLen();
        double total = tokens * (perToken + attention);
        if (in.memory().gradientCheckpointing()) {
            total += tokens * (2.0 * (matmulParams - (lmHead ? (double) v * d : 0)) + attention / 3);
        }
        if (lmHead && in.memory().chunks(tokens, v)) {
            total += tokens * 2.0 * v * d;
        }
        return total;
    }

    private static long loraParams(int rank, List<String> targets, LlamaConfig c, long d, long q, long k, long f) {
        long perLayer = 0;
        for (String target : targets) {
            long[] io = inOut(target, d, q, k, f);
            perLayer += (long) rank * (io[0] + io[1]);
        }
        return perLayer * c.numHiddenLayers();
    }

    /**
     * Values per layer and token that LoRA's input dropout adds: each adapted projection drops out its
     * own copy of its input, which the step's manager keeps. The dropout's float32 mask (CPU dropout
     * multiplies by a scaled noise tensor) is held by autograd only until that layer's backward has
     * run, so whether it is alive at the peak depends on where in the backward the peak falls; it is
     * not counted. On the Qwen2.5-0.5B shape (bench/run real-shapes) counting it predicted LoRA SFT
     * +9.7% and LoRA DPO +0.4%, not counting it +3.4% and -7.2%.
     */
    private static long loraDropoutValues(PlanInputs in, long d, long q, long k, long f) {
        if (in.loraRank() == 0 || in.loraDropout() == 0) {
            return 0;
        }
        long values = 0;
        for (String target : in.loraTargets()) {
            values += inOut(target, d, q, k, f)[0];
        }
        return values;
    }

    /** A projection's input and output widths. */
    private static long[] inOut(String target, long d, long q, long k, long f) {
        return switch (target) {
            case "q_proj" -> new long[] {d, q};
            case "k_proj", "v_proj" -> new long[] {d, k};
            case "o_proj" -> new long[] {q, d};
            case "gate_proj", "up_proj" -> new long[] {d, f};
            case "down_proj" -> new long[] {f, d};
            default -> new long[] {0, 0};
        };
    }

    /** A switch and the plan with it. */
    public record Option(String change, MemoryPlan plan) {}

    /**
     * The first of the usual switches that brings the peak under {@code budget}: checkpointing, a
     * chunked head, both, LoRA (r 16 on every projection) with both, then halving the micro-batch
     * (accumulating more) with all of them; null when none does.
     */
    public static Option whatFits(PlanInputs in, long budget) {
        MemoryOptions both = new MemoryOptions(true, chunkOrDefault(in.memory()));
        List<Option> tries = new java.util.ArrayList<>();
        tries.add(new Option("train.gradient_checkpointing: true",
                plan(in.with(new MemoryOptions(true, in.memory().logitsChunkTokens()), in.loraRank(), in.loraTargets(),
                        in.batchSize(), in.gradAccum()))));
        if (in.memory().logitsChunkTokens() == 0) {
            tries.add(new Option("train.logits_chunk_tokens: " + MemoryOptions.DEFAULT_LOGITS_CHUNK_TOKENS,
                    plan(in.with(new MemoryOptions(in.memory().gradientCheckpointing(),
                            MemoryOptions.DEFAULT_LOGITS_CHUNK_TOKENS), in.loraRank(), in.loraTargets(), in.batchSize(),
                            in.gradAccum()))));
            tries.add(new Option("train.gradient_checkpointing: true, train.logits_chunk_tokens: "
                    + MemoryOptions.DEFAULT_LOGITS_CHUNK_TOKENS,
                    plan(in.with(both, in.loraRank(), in.loraTargets(), in.batchSize(), in.gradAccum()))));
        }
        int rank = in.loraRank() > 0 ? in.loraRank() : 16;
        List<String> targets = in.loraRank() > 0 ? in.loraTargets() : PlanInputs.ALL_PROJECTIONS;
        String lora = in.loraRank() > 0 ? "" : "lora: {r: 16, target_modules: all-linear} (frozen base), ";
        tries.add(new Option(lora + "gradient checkpointing and a chunked head",
                plan(in.with(both, rank, targets, in.batchSize(), in.gradAccum()))));
        for (int batch = in.batchSize() / 2; batch >= 1; batch /= 2) {
            int accum = in.gradAccum() * (in.batchSize() / batch);
            tries.add(new Option(lora + "checkpointing, chunked head, train.batch_size: " + batch + " with grad_accum: "
                    + accum, plan(in.with(both, rank, targets, batch, accum))));
        }
        for (Option o : tries) {
            if (o.plan().peakBytes() <= budget) {
                return o;
            }
        }
        return null;
    }

    private static int chunkOrDefault(MemoryOptions memory) {
        return memory.chunkTokens() > 0 ? memory.chunkTokens() : MemoryOptions.DEFAULT_LOGITS_CHUNK_TOKENS;
    }
}
