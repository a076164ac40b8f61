package org.rlhf4j.dpo;

import java.util.List;

/**
 * The frozen reference policy of DPO, as far as the trainer sees it: the summed response
 * log-probs of a micro-batch of pairs, asked for outside any gradient collector. Either a
 * model scored on the fly ({@link FrozenReference}) or a table computed once
 * ({@link CachedReference}).
 */
public interface Reference extends AutoCloseable {

    /** Log-probs of {@code pairs}, in order. */
    ReferenceLogps logps(List<DpoPair> pairs);

    @Override
    void close();
}
