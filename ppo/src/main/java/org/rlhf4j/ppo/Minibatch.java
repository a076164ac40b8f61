package org.rlhf4j.ppo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.rlhf4j.core.ops.MaskedReductions;
import org.rlhf4j.core.ops.Scalars;
import org.rlhf4j.core.pretrained.PretrainedModel;
import org.rlhf4j.core.rollout.Completion;
import org.rlhf4j.core.rollout.RolloutBatch;

/**
 * Some rows of an {@link Experience} laid out afresh for one training forward: the rows' prompts
 * and responses re-padded to their own widths (b, A' &lt;= A), and the per-token arrays the losses
 * read, cut to A' columns (response token t sits at column t in both layouts). The arrays are
 * created from Java data in the minibatch's manager, which stays open until after backward.
 *
 * @param batch the rows as a rollout batch
 * @param mask (b, A') 1 at the response tokens the losses count (dynamic sampling leaves tied groups out)
 * @param logps (b, A') log pi_old at sampling
 * @param refLogps (b, A') log pi_ref (read by the KL term of the loss, {@code kl_in: loss})
 * @param values (b, A') V_old at rollout (0 without a critic)
 * @param advantages (b, A') advantages
 * @param returns (b, A') value targets
 */
record Minibatch(RolloutBatch batch, NDArray mask, NDArray logps, NDArray refLogps, NDArray values,
        NDArray advantages, NDArray returns) {

    /**
     * The losses of one training forward on these rows.
     *
     * @param total scalar {@code policy + vf_coef * value - entropy_coef * entropy (+ kl_coef * kl)}, what
     *     backward starts from
     * @param policy the clipped policy loss and its diagnostics
     * @param value the clipped value loss and its clip fraction; null without a critic
     * @param entropy scalar, the policy's mean per-token entropy
     */
    record Losses(NDArray total, PpoLoss.PolicyResult policy, PpoLoss.ValueResult value, NDArray entropy) {}

    static Minibatch of(Experience exp, int[] rows, PretrainedModel policy, NDManager manager) {
        List<int[]> prompts = new ArrayList<>(rows.length);
        List<int[]> responses = new ArrayList<>(rows.length);
        for (int r : rows) {
            Completion row = exp.batch().rows().get(r);
            prompts.add(row.promptIds());
            responses.add(row.responseIds());
        }
        RolloutBatch batch = RolloutBatch.of(prompts, responses, policy.tokenizer(), manager);
        int a = batch.responseLength();
        return new Minibatch(batch, slice(exp.lossMask(), rows, a, manager), slice(exp.logps(), rows, a, manager),
                slice(exp.refLogps(), rows, a, manager), slice(exp.values(), rows, a, manager),
                slice(exp.advantages(), rows, a, manager), slice(exp.returns(), rows, a, manager));
    }

    /**
     * The actor-critic loss of these rows against the training forward's outputs, the clipped
     * losses of {@link PpoLoss} weighted by {@code vf_coef} and {@code entropy_coef}, and with
     * {@code kl_in: loss} the KL to the reference weighted by {@code klCoef}, aggregated as the
     * policy loss is.
     *
     * @param newLogps (b, A') {@code log pi(a_t|s_t)} of the policy being trained, in the graph
     * @param entropy (b, A') the policy's per-token entropy, in the graph
     * @param newValues (b, A') {@code V(s_t)} of the critic being trained, in the graph; null without a critic
     * @param klCoef the KL coefficient of this iteration (read with {@code kl_in: loss} only)
     */
    Losses losses(NDArray newLogps, NDArray entropy, NDArray newValues, PpoOptions.Update options, double klCoef,
            NDManager manager) {
        PpoLoss.PolicyResult pg = PpoLoss.policy(newLogps, logps, advantages, mask, options.clipLow(),
                options.clipHigh(), options.lossAgg(), options.maxNewTokens());
        NDArray meanEntropy = MaskedReductions.mean(entropy, mask); // ()
        NDArray total = pg.loss(); // ()
        PpoLoss.ValueResult vf = null;
        if (newValues != null) {
            vf = PpoLoss.value(newValues, values, returns, mask, options.cliprangeValue());
            total = total.add(vf.loss().mul(Scalars.of(manager, options.vfCoef())));
        }
        if (options.entropyCoef() > 0) {
            total = total.sub(meanEntropy.mul(Scalars.of(manager, options.entropyCoef())));
        }
        if (options.lossKl() != null) {
            NDArray kl = options.lossKl().of(newLogps, refLogps); // (b, A')
            total = total.add(options.lossAgg().aggregate(kl, mask, options.maxNewTokens())
                    .mul(Scalars.of(manager, klCoef)));
        }
        return new Losses(total, pg, vf, meanEntropy);
    }

    /** Mean {@code |log pi - log pi_old|} over the response tokens: 0 up to float noise before any update. */
    double logprobMismatch(NDArray newLogps) {
        return MaskedReductions.mean(newLogps.sub(logps).abs(), mask).getFloat();
    }

    /** Rows {@code rows} and the first {@code a} columns of {@code x}, as a (b, a) float32 array. */
    private static NDArray slice(double[][] x, int[] rows, int a, NDManager manager) {
        float[] flat = new float[rows.length * a];
        for (int i = 0; i < rows.length; i++) {
            for (int j = 0; j < a; j++) {
                flat[i * a + j] = (float) x[rows[i]][j];
            }
        }
        return manager.create(flat, new Shape(rows.length, a));
    }
}
