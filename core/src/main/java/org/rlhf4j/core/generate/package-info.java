/**
 * Next-token choice for text generation: sampling parameters and a seeded sampler (greedy,
 * temperature, top-k, top-p) that also reports the chosen token's log-probability; the batched
 * generation loop that uses them is {@link org.rlhf4j.core.rollout.RolloutEngine}.
 */
package org.rlhf4j.core.generate;
