package org.rlhf4j.dpo;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.rlhf4j.core.tokenizer.Tokenizer;
import org.rlhf4j.datasets.ChatTemplates;
import org.rlhf4j.datasets.DataConfig;
import org.rlhf4j.datasets.PreferenceEncoder;
import org.rlhf4j.datasets.PreferencePair;
import org.rlhf4j.datasets.RewardConditions;
import org.rlhf4j.datasets.TokenizedPair;
import org.rlhf4j.datasets.UnpairedPreferenceRecords;
import org.rlhf4j.datasets.UnpairedPreferenceRecords.Example;
import org.rlhf4j.datasets.io.BadRecordException;
import org.rlhf4j.datasets.jinja.TemplateException;

/**
 * What the KTO trainer needs from its data: labelled completions, each tokenized twice under its
 * prompt, with its own completion and with its mismatched one ({@link MismatchedCompletions}),
 * training and evaluation. The trainer fits ({@link DpoPair#of}), orders and batches them.
 *
 * @param train training examples, in file order
 * @param eval evaluation examples, possibly empty
 * @param files the files they came from, hashed into {@code provenance.json}
 */
public record KtoData(List<Labelled> train, List<Labelled> eval, List<Path> files) {

    public KtoData {
        train = List.copyOf(train);
        eval = List.copyOf(eval);
        files = List.copyOf(files);
    }

    /**
     * One example's two token sequences and label.
     *
     * @param sequences {@code chosen} = prompt + completion, {@code rejected} = prompt + mismatched
     *     completion, response tokens in the loss mask; {@code pair().source()} is {@code FILE:LINE}
     * @param desirable the label
     */
    public record Labelled(TokenizedPair sequences, boolean desirable) {}

    /** Builds the data once the model's tokenizer is known. */
    @FunctionalInterface
    public interface Loader {
        KtoData load(Tokenizer tokenizer) throws IOException;
    }

    /** The loader of the config's files ({@link UnpairedPreferenceRecords}), rendered with the config's chat template. */
    static Loader fromFiles(DataConfig data, long seed) {
        return tokenizer -> {
            UnpairedPreferenceRecords.Split split = UnpairedPreferenceRecords.load(data, seed);
            org.slf4j.LoggerFactory.getLogger(KtoData.class).info(split.summary());
            PreferenceEncoder encoder = new PreferenceEncoder(tokenizer, ChatTemplates.select(data, tokenizer),
                    RewardConditions.ignored());
            return new KtoData(encode(split.train(), encoder, seed), encode(split.eval(), encoder, seed + 1),
                    split.files());
        };
    }

    /**
     * Tokenizes {@code examples}, each with its own completion and with the completion of its
     * partner ({@link MismatchedCompletions#partners}, seeded by {@code seed}) under its prompt.
     *
     * @throws IllegalArgumentException naming the example's {@code FILE:LINE} when the template
     *     cannot render it
     */
    public static List<Labelled> encode(List<Example> examples, PreferenceEncoder encoder, long seed) {
        int[] partner = MismatchedCompletions.partners(examples.stream().map(Example::prompt).toList(), seed);
        List<Labelled> out = new ArrayList<>(examples.size());
        for (int i = 0; i < examples.size(); i++) {
            Example e = examples.get(i);
            String mismatched = examples.get(partner[i]).completion();
            try {
                TokenizedPair sequences = new TokenizedPair(encoder.encode(e.prompt(), null, e.completion()),
                        encoder.encode(e.prompt(), null, mismatched),
                        new PreferencePair(e.prompt(), e.completion(), mismatched, null, null, null, e.source()));
                out.add(new Labelled(sequences, e.desirable()));
            } catch (IllegalArgumentException | TemplateException ex) {
                throw new BadRecordException(e.source() + ": " + ex.getMessage());
            }
        }
        return out;
    }
}
