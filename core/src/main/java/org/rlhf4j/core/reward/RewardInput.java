package org.rlhf4j.core.reward;

import java.util.List;
import java.util.Map;
import org.rlhf4j.core.rollout.FinishReason;

/**
 * One prompt and response handed to a {@link RewardFunction}, with the prompt record's metadata.
 *
 * @param prompt the prompt as the data file gave it: the {@code prompt} string, or for a
 *     {@code messages} record the content of its last user message
 * @param response the response text, decoded without special tokens (cut before a stop string)
 * @param promptIds the prompt as fed to the policy (chat template applied), unpadded
 * @param responseIds the response ids, ending with the EOS or stop id when one ended it
 * @param finishReason why the response ended ({@code LENGTH}: no EOS within {@code max_new_tokens})
 * @param condition the record's {@code condition}, or null
 * @param tags the record's {@code tags}, possibly empty
 * @param answer the record's {@code answer} (for rule rewards), or null
 * @param extra every other key of the prompt record, as plain Java values (String, Number,
 *     Boolean, List, Map), for user reward functions
 */
public record RewardInput(
        String prompt,
        String response,
        int[] promptIds,
        int[] responseIds,
        FinishReason finishReason,
        String condition,
        List<String> tags,
        String answer,
        Map<String, Object> extra) {

    public RewardInput {
        tags = tags == null ? List.of() : List.copyOf(tags);
        extra = extra == null ? Map.of() : Map.copyOf(extra);
    }

    /** Whether the record carries {@code tag}. */
    public boolean hasTag(String tag) {
        return tags.contains(tag);
    }
}
