package org.rlhf4j.dpo;

import java.util.List;

/**
 * The frozen reference policy of DPO, as far as the trainer sees it: the summed response
 * log-probs of a micro-batch of pairs, asked for outside any gradient collector. Either a
 * model scored on the fly ({@link FrozenReference}) or a table computed once
 * ({@link CachedReference}).
 */
public interface Reference extends AutoCloseable {

    /**
     * The reference of the reference-free losses (SimPO, ORPO): no model, log-probs of 0 that
     * those losses never read. Using it costs nothing, so the trainer's loop stays one loop.
     */
    Reference NONE = new Reference() {
        @Override
        public ReferenceLogps logps(List<DpoPair> pairs) {
            return new ReferenceLogps(new float[pairs.size()], new float[pairs.size()]);
        }

        @Override
        public void close() {
            // holds nothing
        }
    };

    /** Log-probs of {@code pairs}, in order. */
    ReferenceLogps logps(List<DpoPair> pairs);

    @Override
    void close();
}
