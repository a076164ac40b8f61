/**
 * The shared rollout engine: batched KV-cache generation ({@link org.rlhf4j.core.rollout.RolloutEngine})
 * and batched scoring of the same padded batch by every model of a stage
 * ({@link org.rlhf4j.core.rollout.RolloutScorer}) over one layout ({@link org.rlhf4j.core.rollout.RolloutBatch}).
 *
 * <p>Decisions, with the measurements behind them where there are some ({@code ./bench/run generate}):
 * <ul>
 *   <li><b>Layout.</b> Prompts are left-padded to a common length P and responses right-padded
 *       to A, so every response starts at column P and the position that predicts response
 *       token t is P + t - 1 in every row. Position ids come from the attention mask
 *       ({@code cumsum - 1}), so a row's real tokens see the same positions padded or alone;
 *       the tests check that a row generated inside a batch equals the row generated alone.
 *   <li><b>Cache.</b> {@link org.rlhf4j.core.model.PreallocatedKvCache}: (B, KV, P + N - 1, hd) per
 *       layer, allocated once per generation and written in place; every step runs in its own
 *       sub-manager, so the live-array count is flat over a generation (tested over 300 steps).
 *   <li><b>Fused decode steps.</b> After the prefill (the model's general forward pass), decode
 *       steps run through a {@link org.rlhf4j.core.model.FusedDecoder}: an inference copy of the
 *       weights made per generation (the policy changes between PPO iterations) with the norm
 *       gains and the attention scale folded into fused q/k/v and gate/up projections, rotary
 *       positions applied as one (hd, hd) matmul built in Java, and attention over the filled cache
 *       slots only (attending over the whole capacity to save two slicing calls per layer made
 *       it slower than the unfused cache at batch 16, prompt 256). About
 *       half the libtorch calls of the general path; the logits agree with it to 1e-5 in
 *       float32 (tested), and greedy generation equals whole-sequence recompute token for token.
 *       The copy costs the memory of those weights during generation;
 *       {@link org.rlhf4j.core.rollout.DecodeMode#KV_CACHE} decodes without it.
 *   <li><b>Finished rows</b> stay in the batch and are fed a masked pad until all rows are done,
 *       rather than compacting the batch (which would copy every layer's cache rows). A decode
 *       step is dominated by per-op overhead and weight reads, not arithmetic: 16 rows cost about 2.7x one row
 *       (3.7 vs 1.4 ms per step on the benchmark config, fused decoder), so dropping finished rows
 *       saves little per step; the loop ends as soon as every row has finished.
 *   <li><b>Sampling on the device.</b> Each step samples from the (B, V) logits where they are
 *       ({@link org.rlhf4j.core.generate.DeviceSampler}: argMax, or float64 weights with cumSum or
 *       topK) and copies back B ids and log-probs (and the (B, k) top-k/top-p candidates), not
 *       B x V logits: at V = 128k the copy and the Java loops cost more than the sampling ops.
 *       The random numbers still come from a {@link java.util.SplittableRandom} per row seeded by
 *       (seed, row index), one per sampled token, so samples are reproducible run to run,
 *       independent of batching, and the same tokens as the earlier Java sampler
 *       ({@link org.rlhf4j.core.generate.TokenSampler}, still used when the logits have at most 65,536
 *       entries, where one copy is cheaper than the device ops, and for a row whose top-p nucleus
 *       exceeds 256 candidates or that ties at the top-k cut). The decode-step bias for one
 *       query is built in Java (one array instead of about ten ops).
 *   <li><b>Log-probs.</b> The rollout records {@code log_softmax(logits / T)} at each sampled
 *       token (T = 1 when greedy) over the full vocabulary, before top-k/top-p: the quantity the
 *       PPO ratio recomputes with {@link org.rlhf4j.core.rollout.RolloutScorer#logps} at the same T.
 *   <li><b>Threads.</b> Decode steps are hundreds of tiny ops; with two intra-op threads each op
 *       pays for a thread hand-off, and on a loaded machine a descheduled worker stalls every op.
 *       {@link org.rlhf4j.core.rollout.EngineOptions#defaults()} decodes with one thread and
 *       leaves the prefill (and training) with the process setting.
 *   <li><b>No graph, no copies.</b> Scoring reads the batch's own arrays through zero-copy
 *       handles owned by a per-call sub-manager; outside a gradient collector grad mode is off
 *       (DJL: only on the thread that loaded the engine, or one that turned it off), no graph is
 *       built and the intermediates are freed at once. Inside a collector the graph is built and
 *       the intermediates live until the caller closes its manager after backward.
 *   <li><b>Other tokenizers.</b> A reward model with its own tokenizer scores
 *       {@link org.rlhf4j.core.rollout.RolloutBatch#texts} through
 *       {@link org.rlhf4j.core.rollout.RolloutScorer#rewards(org.rlhf4j.core.model.LlamaModel,
 *       org.rlhf4j.core.tokenizer.Tokenizer, java.util.List, ai.djl.ndarray.NDManager)}.
 * </ul>
 */
package org.rlhf4j.core.rollout;
