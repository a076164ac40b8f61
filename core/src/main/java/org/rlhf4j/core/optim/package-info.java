/**
 * What updates the weights once the gradients are there: AdamW with exportable state, global-norm
 * gradient clipping, learning-rate schedules, and {@link org.rlhf4j.core.optim.OptimizerStep},
 * which applies the three (and skips a step whose gradient norm is not finite). The plumbing
 * of a run around it (config, checkpoints, resume, metrics) is {@code org.rlhf4j.core.training}.
 *
 * <p>Decisions, recorded here as DESIGN.md asks:
 *
 * <ul>
 *   <li>{@link org.rlhf4j.core.optim.AdamW} follows {@code torch.optim.AdamW} (decoupled weight
 *       decay, bias correction, eps added to the bias-corrected root; betas (0.9, 0.999), eps 1e-8)
 *       and runs it in libtorch's fused Adam kernel, one JNI call per parameter (eps and step
 *       size are rescaled so the kernel's eps placement becomes PyTorch's). Scalars enter the
 *       kernel as float32, so the betas are in effect float32; results equal PyTorch's to float
 *       rounding, not bit for bit. A resumed run equals an uninterrupted one bit for bit.
 *   <li>Weight decay skips names for which {@code WeightLayout.isNoDecay} holds (norm gains,
 *       biases), as TRL and OpenRLHF group parameters.
 *   <li>A parameter with no gradient is skipped entirely (no decay, no moment update, its step
 *       count stays), as PyTorch skips {@code grad is None}; step counts are therefore per
 *       parameter. Gradients are zeroed in place after each step (DJL cannot reset them to
 *       absent), i.e. PyTorch's {@code zero_grad(set_to_none=False)}.
 *   <li>Optimizer state is a flat map: {@code exp_avg/<name>}, {@code exp_avg_sq/<name>} in the
 *       parameter's dtype and {@code step/<name>} as a float32 scalar (PyTorch's step dtype).
 *   <li>{@link org.rlhf4j.core.optim.GradientClipping} computes the global norm in float32 and
 *       returns it before clipping; a non-finite norm leaves the gradients untouched so the
 *       trainer can skip the step.
 *   <li>{@link org.rlhf4j.core.optim.LearningRateSchedule} uses transformers' LambdaLR convention:
 *       step k (0-based) runs at {@code lr(k)}, so the first step with warmup has lr 0.
 * </ul>
 */
package org.rlhf4j.core.optim;
