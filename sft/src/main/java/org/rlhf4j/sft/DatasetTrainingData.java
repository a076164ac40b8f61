package org.rlhf4j.sft;

import java.nio.file.Path;
import java.util.List;
import org.rlhf4j.datasets.ChatTemplates;
import org.rlhf4j.datasets.DataConfig;
import org.rlhf4j.datasets.SftDataset;
import org.rlhf4j.datasets.TrainingSequence;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trainer's data from the config's files through the datasets module: validation, chat
 * template with loss masks, truncation and packing ({@link SftDataset}).
 */
final class DatasetTrainingData {

    private static final Logger LOG = LoggerFactory.getLogger(DatasetTrainingData.class);

    private DatasetTrainingData() {}

    /**
     * A loader for {@code data}. {@code pretrain} reads plain text with every token a target;
     * {@code completionOnly = false} makes every token of a conversation a target, as TRL's
     * {@code completion_only_loss=False} does.
     */
    static TrainingData.Loader loader(DataConfig data, boolean pretrain, boolean completionOnly, long seed) {
        return (tokenizer, maxSeqLen) -> {
            SftDataset dataset = SftDataset.load(data, tokenizer, ChatTemplates.select(data, tokenizer),
                    maxSeqLen, pretrain, seed);
            LOG.info(dataset.report().summary());
            List<Path> files = data.files();
            boolean everyToken = !pretrain && !completionOnly;
            List<TrainingSequence> train = everyToken ? everyToken(dataset.train()) : dataset.train();
            List<TrainingSequence> eval = everyToken ? everyToken(dataset.eval()) : dataset.eval();
            return TrainingData.of(train, eval, files);
        };
    }

    /** Every token a target except the first of each packed segment (it has nothing to be predicted from). */
    private static List<TrainingSequence> everyToken(List<TrainingSequence> rows) {
        return rows.stream().map(row -> {
            boolean[] mask = new boolean[row.length()];
            java.util.Arrays.fill(mask, true);
            for (int start : row.segmentStarts()) {
                mask[start] = false;
            }
            return new TrainingSequence(row.ids(), mask, row.segmentStarts());
        }).toList();
    }
}
