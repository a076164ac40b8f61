package org.rlhf4j.sft;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.rlhf4j.core.tokenizer.ByteTokenizer;
import org.rlhf4j.core.tokenizer.Tokenizer;
import org.rlhf4j.core.training.TrainConfig;
import org.rlhf4j.datasets.ChatMessage;
import org.rlhf4j.datasets.ChatTemplate;
import org.rlhf4j.datasets.LossMaskEncoder;
import org.rlhf4j.datasets.DataConfig;
import org.rlhf4j.datasets.TrainingSequence;

/** Small ChatML tasks shared by the SFT tests (the tiny model is {@code TinyModels.llama}). */
final class SftFixtures {

    private SftFixtures() {}

    /** "add a b" -> "a+b" for single digits whose sum is a single digit, in a fixed order. */
    static List<List<ChatMessage>> additions(int count) {
        List<List<ChatMessage>> out = new ArrayList<>();
        for (int a = 0; a <= 9 && out.size() < count; a++) {
            for (int b = 0; a + b <= 9 && out.size() < count; b++) {
                out.add(List.of(ChatMessage.user("add " + a + " " + b), ChatMessage.assistant(Integer.toString(a + b))));
            }
        }
        return out;
    }

    static List<TrainingSequence> tokenized(List<List<ChatMessage>> conversations, int maxSeqLen) {
        Tokenizer tokenizer = new ByteTokenizer();
        LossMaskEncoder encoder = new LossMaskEncoder(tokenizer);
        return conversations.stream().map(c -> {
            TrainingSequence s = encoder.encode(ChatTemplate.CHATML.renderForTraining(c));
            int n = Math.min(s.length(), maxSeqLen); // keep the start, as the datasets module truncates
            return TrainingSequence.of(java.util.Arrays.copyOf(s.ids(), n), java.util.Arrays.copyOf(s.lossMask(), n));
        }).toList();
    }

    static SftConfig config(Path model, Path out, TrainConfig train) {
        return config(model, out, train, 0L);
    }

    static SftConfig config(Path model, Path out, TrainConfig train, long seed) {
        return new SftConfig(model.toString(), out.toString(), seed, "cpu", "float32", "float32",
                new DataConfig("in-memory", null, null, null, null, null, null), train, null);
    }

    /** A train section: the given steps, batch, accumulation, lr, schedule; log, eval and save cadence. */
    static TrainConfig train(int maxSteps, int batchSize, int gradAccum, double lr, String schedule, int warmup,
            int evalEvery, int saveEvery, Integer saveTotalLimit) {
        return new TrainConfig(maxSteps, null, batchSize, gradAccum, lr, warmup, schedule, 0.0, 1.0, 64, 5,
                evalEvery, saveEvery, saveTotalLimit);
    }
}
