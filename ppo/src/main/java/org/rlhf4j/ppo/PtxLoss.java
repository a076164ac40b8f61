package org.rlhf4j.ppo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import org.rlhf4j.core.ops.MaskedReductions;

/**
 * The pretraining term of PPO-ptx (Ouyang et al. 2022, eq. 2: {@code gamma * E_{x ~ D_pretrain}[log pi(x)]}),
 * as a loss: the mean negative log-likelihood of the target tokens of one batch of pretraining text.
 *
 * <pre>
 * ptx_loss = -sum_{b, t >= 1} mask[b, t] * logp[b, t - 1] / max(sum_{b, t >= 1} mask[b, t], 1)
 * </pre>
 *
 * <p>A token mean over the batch, as OpenRLHF's {@code GPTLMLoss} and like PPO's own losses (a mean
 * over each minibatch); padding and each segment's first token are not targets, and an all-masked
 * batch gives 0 (no gradient), not NaN.
 */
final class PtxLoss {

    private static final NDIndex ALL_BUT_FIRST = new NDIndex(":, 1:");

    private PtxLoss() {}

    /**
     * @param logps (B, T-1) float32, {@code log pi(ids[:, t] | ids[:, <t])} for t = 1..T-1, in the graph
     * @param targetMask (B, T) 1 where {@code ids[b, t]} is a target (0 at padding and segment starts)
     * @return () the mean NLL over the targets
     */
    static NDArray of(NDArray logps, NDArray targetMask) {
        NDArray mask = targetMask.get(ALL_BUT_FIRST).toType(DataType.FLOAT32, false); // (B, T-1)
        return MaskedReductions.mean(logps, mask).neg();
    }
}
