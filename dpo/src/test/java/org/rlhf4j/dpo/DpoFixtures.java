package org.rlhf4j.dpo;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.rlhf4j.core.tokenizer.ByteTokenizer;
import org.rlhf4j.core.training.TrainConfig;
import org.rlhf4j.datasets.ChatMessage;
import org.rlhf4j.datasets.ChatTemplate;
import org.rlhf4j.datasets.DataConfig;
import org.rlhf4j.datasets.LossMaskEncoder;
import org.rlhf4j.datasets.PreferenceEncoder;
import org.rlhf4j.datasets.PreferencePair;
import org.rlhf4j.datasets.RewardConditions;
import org.rlhf4j.datasets.TokenizedPair;
import org.rlhf4j.datasets.UnpairedPreferenceRecords;

/** Tokenized ChatML preference pairs for the DPO tests (the tiny model is {@code TinyModels.llama}). */
final class DpoFixtures {

    private DpoFixtures() {}

    /** A pair {@code user: prompt} / {@code assistant: chosen | rejected}, tokenized with ChatML and the byte tokenizer. */
    static TokenizedPair pair(String prompt, String chosen, String rejected) {
        LossMaskEncoder encoder = new LossMaskEncoder(new ByteTokenizer());
        List<ChatMessage> p = List.of(ChatMessage.user(prompt));
        return new TokenizedPair(
                encoder.encode(ChatTemplate.CHATML.renderForTraining(List.of(p.get(0), ChatMessage.assistant(chosen)))),
                encoder.encode(ChatTemplate.CHATML.renderForTraining(List.of(p.get(0), ChatMessage.assistant(rejected)))),
                new PreferencePair(p, chosen, rejected, null, null, null, "test:" + prompt));
    }

    /** {@code count} pairs of varied lengths: chosen "w!" (short, polite), rejected "no. w. go away." */
    static List<TokenizedPair> pairs(int count, int offset) {
        List<TokenizedPair> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String w = word(i + offset);
            out.add(pair("greet " + w, "hi " + w + "!", "no. " + w + ". go away."));
        }
        return out;
    }

    /**
     * The unpaired (KTO) form of {@link #pairs}: each pair's chosen answer a desirable example, its
     * rejected answer an undesirable one (TRL's unpairing), tokenized with their mismatched
     * completions as {@link KtoData#fromFiles} does.
     */
    static List<KtoData.Labelled> unpaired(int count, int offset, long seed) {
        List<UnpairedPreferenceRecords.Example> examples = new ArrayList<>();
        for (TokenizedPair p : pairs(count, offset)) {
            PreferencePair pair = p.pair();
            examples.add(new UnpairedPreferenceRecords.Example(pair.prompt(), pair.chosenText(), true, pair.source()));
            examples.add(new UnpairedPreferenceRecords.Example(pair.prompt(), pair.rejectedText(), false, pair.source()));
        }
        PreferenceEncoder encoder = new PreferenceEncoder(new ByteTokenizer(), ChatTemplate.CHATML,
                RewardConditions.ignored());
        return KtoData.encode(examples, encoder, seed);
    }

    /** A distinct lower-case word for each {@code i}: 2-4 letters. */
    static String word(int i) {
        String letters = "abcdefghijklmnopqrstuvwxyz";
        StringBuilder sb = new StringBuilder();
        int n = i;
        do {
            sb.append(letters.charAt(n % 26));
            n /= 26;
        } while (n > 0);
        sb.append(letters.charAt((i * 7 + 3) % 26));
        return sb.toString();
    }

    static DpoConfig config(Path model, Path out, TrainConfig train, DpoOptions dpo) {
        return config(model, out, train, dpo, 0L);
    }

    static DpoConfig config(Path model, Path out, TrainConfig train, DpoOptions dpo, long seed) {
        return new DpoConfig(model.toString(), out.toString(), seed, "cpu", "float32", "float32",
                new DataConfig("in-memory", null, null, null, null, false, null), train, dpo);
    }

    static DpoOptions options(String lossType, double beta, String reference) {
        return new DpoOptions(beta, lossType, null, null, reference, null, null);
    }

    /** A train section: steps, batch, accumulation, lr, constant schedule; log every step; eval and save cadence. */
    static TrainConfig train(int maxSteps, int batchSize, int gradAccum, double lr, int evalEvery, int saveEvery) {
        return new TrainConfig(maxSteps, null, batchSize, gradAccum, lr, 0, "constant", 0.0, 1.0, 64, 1,
                evalEvery, saveEvery, null);
    }
}
