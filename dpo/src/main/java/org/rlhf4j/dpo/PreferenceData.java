package org.rlhf4j.dpo;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.rlhf4j.core.tokenizer.Tokenizer;
import org.rlhf4j.datasets.TokenizedPair;

/**
 * What the DPO trainer needs from its data: tokenized preference pairs (prompt followed by each
 * response, the response tokens marked in the loss mask), training and evaluation. The trainer
 * splits, truncates ({@link DpoPair#of}), orders and batches them itself.
 */
public interface PreferenceData {

    /** Training pairs, in file order (the trainer shuffles). */
    List<TokenizedPair> train();

    /** Evaluation pairs; empty when the config has no eval split. */
    List<TokenizedPair> eval();

    /** The files the pairs came from, hashed into {@code provenance.json}. */
    List<Path> files();

    /** In-memory data, e.g. for tests. */
    static PreferenceData of(List<TokenizedPair> train, List<TokenizedPair> eval) {
        return of(train, eval, List.of());
    }

    /** Pairs read from {@code files}. */
    static PreferenceData of(List<TokenizedPair> train, List<TokenizedPair> eval, List<Path> files) {
        List<TokenizedPair> trainCopy = List.copyOf(train);
        List<TokenizedPair> evalCopy = List.copyOf(eval);
        List<Path> fileCopy = List.copyOf(files);
        return new PreferenceData() {
            @Override
            public List<TokenizedPair> train() {
                return trainCopy;
            }

            @Override
            public List<TokenizedPair> eval() {
                return evalCopy;
            }

            @Override
            public List<Path> files() {
                return fileCopy;
            }
        };
    }

    /** Builds the data once the model's tokenizer is known. */
    @FunctionalInterface
    interface Loader {
        PreferenceData load(Tokenizer tokenizer) throws IOException;
    }
}
