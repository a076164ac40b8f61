package org.rlhf4j.dpo;

import java.nio.file.Path;
import java.util.List;
import org.rlhf4j.datasets.ChatTemplates;
import org.rlhf4j.datasets.DataConfig;
import org.rlhf4j.datasets.PreferenceDataset;
import org.rlhf4j.datasets.RewardConditions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trainer's pairs from the config's files through the datasets module's preference reader
 * (validation with {@code FILE:LINE} messages, chat template, eval split). Pairs are not dropped
 * for length here: {@link DpoPair#of} truncates them to {@code max_seq_len} itself, keeping the
 * end of the prompt. Conditions are a reward-model notion; DPO renders prompts as written.
 */
final class DatasetPreferenceData {

    private static final Logger LOG = LoggerFactory.getLogger(DatasetPreferenceData.class);

    private DatasetPreferenceData() {}

    static PreferenceData.Loader loader(DataConfig data, long seed) {
        return tokenizer -> {
            PreferenceDataset dataset = PreferenceDataset.load(data, tokenizer,
                    ChatTemplates.select(data, tokenizer), RewardConditions.ignored(),
                    Integer.MAX_VALUE, seed);
            LOG.info(dataset.report().summary());
            List<Path> files = data.files();
            return PreferenceData.of(dataset.train(), dataset.eval(), files);
        };
    }
}
