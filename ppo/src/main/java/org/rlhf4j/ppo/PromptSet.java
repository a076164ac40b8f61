package org.rlhf4j.ppo;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.rlhf4j.core.tokenizer.Tokenizer;
import org.rlhf4j.datasets.ChatTemplate;
import org.rlhf4j.datasets.DataConfig;
import org.rlhf4j.datasets.PromptDataset;
import org.rlhf4j.datasets.PromptRecord;

/**
 * The run's prompts (PPO's and rejection sampling's) with their token ids as fed to the policy: the chat template with the
 * generation prompt, tokenized, and cut to the last {@code maxPromptLen} tokens (the end of a
 * prompt, with the assistant header, is what the response continues).
 *
 * @param records the prompt records, in file order
 * @param ids the ids of each record
 * @param truncated prompts that were cut
 * @param skipped bad records skipped
 */
public record PromptSet(List<PromptRecord> records, List<int[]> ids, int truncated, int skipped) {

    /** Reads {@code data.train} and renders each prompt with the generation prompt, cut to {@code maxPromptLen}. */
    public static PromptSet load(DataConfig data, Tokenizer tokenizer, ChatTemplate template, int maxPromptLen)
            throws IOException {
        PromptDataset dataset = PromptDataset.load(Path.of(data.train()), data.skipBadRecords());
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
        return new PromptSet(dataset.prompts(), ids, truncated, dataset.skipped());
    }

    public int size() {
        return records.size();
    }

    int[] lengths() {
        return ids.stream().mapToInt(a -> a.length).toArray();
    }

    String summary(String file) {
        return String.format("prompts: %d from %s%s%s", size(), file,
                truncated > 0 ? ", " + truncated + " cut to ppo.max_prompt_len" : "",
                skipped > 0 ? ", " + skipped + " bad records skipped" : "");
    }
}
