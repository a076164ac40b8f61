package org.rlhf4j.core.rollout;

/**
 * One row of a {@link RolloutBatch} on the Java side.
 *
 * @param promptIds the prompt as fed to the model (template applied), without padding
 * @param responseIds the response, ending with the EOS or stop id when one ended it
 * @param responseText the response decoded without special tokens, cut before a stop string
 * @param finishReason why the response ended
 */
public record Completion(int[] promptIds, int[] responseIds, String responseText, FinishReason finishReason) {}
