/**
 * The Llama-family decoder on DJL NDArrays: config, weights keyed by Hugging Face names, forward pass and heads.
 *
 * <h2>Padding queries are never read</h2>
 *
 * <p>A padded row's hidden states at its padding slots are computed but read by nothing, so
 * attention may give those query rows any finite values (with the causal flash kernel,
 * {@link org.rlhf4j.core.model.AttentionMask#isCausal}, a right-padded row's padding queries also see
 * padding keys; with the float bias they see every real key, and a left-padded row's see none).
 * Real tokens never attend to a padding slot in either case, and layer by layer a real slot's
 * state depends only on real slots at or before it, so the real rows are the same. What reads the
 * model's outputs, checked for this: every loss and score multiplies per-token values by a 0/1
 * mask that is 0 at padding ({@code MaskedReductions}: SFT/pretraining and PTX through
 * {@code TokenBatch.targetMask}, evaluation's LM loss likewise, {@code SequenceTokenLogps} and
 * {@code logprobs} keep only each row's first n - 1 values, rollout log-probs and values
 * ({@code RolloutScorer}) are 0 at pads); reward and value heads read each row's last real token
 * ({@link org.rlhf4j.core.model.AttentionMask#lastTokenIndex}). A masked value only matters when
 * it is infinite or NaN ({@code 0 * inf}); every padding query sees at least key 0 under the causal
 * mask, and a row with no real key gets a uniform softmax under the finite bias, so none is. The
 * invariance tests (left and right padding give the same log-probs, a padded row equals the row
 * alone) hold whatever the padding rows contain.
 */
package org.rlhf4j.core.model;
