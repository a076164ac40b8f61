package org.rlhf4j.core.rollout;

/** Observes a generation as it runs: tokens for streaming, steps for progress and timing. */
public interface RolloutListener {

    /** Does nothing. */
    RolloutListener NONE = new RolloutListener() {};

    /** Row {@code row} (index within the batch) has just produced {@code id}. */
    default void onToken(int row, int id) {}

    /**
     * Decoding step {@code step} is done (step 0 is the prefill that produced the first token);
     * called after the step's arrays are released.
     */
    default void onStep(int step) {}
}
