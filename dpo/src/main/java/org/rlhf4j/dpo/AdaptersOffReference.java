package org.rlhf4j.dpo;

import java.util.List;
import org.rlhf4j.core.lora.LoraAdapters;
import org.rlhf4j.core.pretrained.PretrainedModel;

/**
 * {@code dpo.reference: adapters_off}: the reference is the policy being trained with its LoRA
 * adapters switched off, which is exactly the frozen base, so no second copy of the weights is
 * held (as TRL does with a PEFT policy). Scored on the fly outside the gradient collector.
 */
final class AdaptersOffReference implements Reference {

    private final PretrainedModel policy;

    /** Borrows {@code policy}, which must carry adapters; closing this reference leaves it open. */
    AdaptersOffReference(PretrainedModel policy) {
        if (policy.adapters() == null) {
            throw new IllegalArgumentException("dpo.reference: adapters_off needs a policy with LoRA adapters");
        }
        this.policy = policy;
    }

    @Override
    public ReferenceLogps logps(List<DpoPair> pairs) {
        try (LoraAdapters.Switch off = policy.adapters().disabled()) {
            return FrozenReference.score(policy, pairs);
        }
    }

    @Override
    public void close() {
        // the policy belongs to the run
    }
}
