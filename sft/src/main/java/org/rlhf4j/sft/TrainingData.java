package org.rlhf4j.sft;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.rlhf4j.core.tokenizer.Tokenizer;
import org.rlhf4j.datasets.TrainingSequence;

/**
 * What the SFT trainer needs from its data: tokenized training and evaluation sequences with
 * their loss masks, already truncated (and packed, if asked) to {@code max_seq_len}. The trainer
 * orders and batches them itself ({@link org.rlhf4j.datasets.BatchOrder}).
 */
public interface TrainingData {

    /** Training sequences, in file order (the trainer shuffles). */
    List<TrainingSequence> train();

    /** Evaluation sequences; empty when the config has no eval split. */
    List<TrainingSequence> eval();

    /** The files the sequences came from, hashed into {@code provenance.json}. */
    List<Path> files();

    /** In-memory data, e.g. for tests. */
    static TrainingData of(List<TrainingSequence> train, List<TrainingSequence> eval) {
        return of(train, eval, List.of());
    }

    /** Data read from {@code files}. */
    static TrainingData of(List<TrainingSequence> train, List<TrainingSequence> eval, List<Path> files) {
        return new TrainingData() {
            @Override
            public List<TrainingSequence> train() {
                return train;
            }

            @Override
            public List<TrainingSequence> eval() {
                return eval;
            }

            @Override
            public List<Path> files() {
                return files;
            }
        };
    }

    /** Builds the data once the model's tokenizer is known. */
    @FunctionalInterface
    interface Loader {
        TrainingData load(Tokenizer tokenizer, int maxSeqLen) throws IOException;
    }
}
