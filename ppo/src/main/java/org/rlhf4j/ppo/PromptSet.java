package org.rlhf4j.ppo;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.rlhf4j.core.tokenizer.Tokenizer;
import org.rlhf4j.datasets.ChatTemplate;
import org.rlhf4j.datasets.DataConfig;
import org.rlhf4j.datasets.PromptDataset;
import org.rlhf4j.datasets.PromptRecord;
import org.rlhf4j.datasets.io.BadRecords;

/**
 * The run's prompts (PPO's and rejection sampling's) with their token ids as fed to the policy: the chat template with the
 * generation prompt, tokenized, and cut to the last {@code maxPromptLen} tokens (the end of a
 * prompt, with the assistant header, is what the response continues).
 *
 * @param records the prompt records, in file order
 * @param ids the ids of each record
 * @param truncated prompts that were cut
 * @param skipped bad records skipped ({@code data.on_bad_record: skip})
 * @param skipReasons the first few of them, {@code FILE:LINE: problem}
 */
public record PromptSet(List<PromptRecord> records, List<int[]> ids, int truncated, int skipped,
        List<String> skipReasons) {

    /** Reads {@code data.train} and renders each prompt with the generation prompt, cut to {@code maxPromptLen}. */
    public static PromptSet load(DataConfig data, Tokenizer tokenizer, ChatTemplate template, int maxPromptLen)
            throws IOException {
        PromptDataset dataset = PromptDataset.load(data);
        List<int[]> ids = new ArrayList<>(dataset.prompts().size());
        int truncated = 0;
        for (PromptRecord record : dataset.prompts()) {
            int[] encoded = tokenizer.encode(template.render(record.messages(), true));
            if (encoded.length > maxPromptLen) {
                encoded = Arrays.copyOfRange(encoded, encoded.length - maxPromptLen, encoded.length);
                truncated++;
            }
            ids.add(encoded);
        }
        return new PromptSet(dataset.prompts(), ids, truncated, dataset.skipped(), dataset.skipReasons());
    }

    public int size() {
        return records.size();
    }

    int[] lengths() {
        return ids.stream().mapToInt(a -> a.length).toArray();
    }

    /** The line PPO prints about its prompts, then why the first few bad records were skipped. */
    String summary(String file) {
        return String.format("prompts: %d from %s%s%s", size(), file,
                truncated > 0 ? ", " + truncated + " cut to ppo.max_prompt_len" : "",
                skipped > 0 ? ", " + skipped + " bad records skipped\n" + skipReport().stripTrailing() : "");
    }

    /** Why bad records were skipped, the first few with {@code FILE:LINE}, a line each; empty when none was. */
    public String skipReport() {
        return BadRecords.describe(skipped, skipReasons);
    }
}
