package org.rlhf4j.dpo;

/**
 * The reference model's summed response log-probs of some pairs, on the Java side.
 *
 * @param chosen {@code log pi_ref(y_c | x)} per pair
 * @param rejected {@code log pi_ref(y_r | x)} per pair
 */
public record ReferenceLogps(float[] chosen, float[] rejected) {

    public ReferenceLogps {
        if (chosen.length != rejected.length) {
            throw new IllegalArgumentException(chosen.length + " chosen but " + rejected.length + " rejected log-probs");
        }
    }
}
