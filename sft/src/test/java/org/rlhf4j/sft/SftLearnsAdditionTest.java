package org.rlhf4j.sft;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlhf4j.core.generate.SamplingParams;
import org.rlhf4j.core.generate.TextGenerator;
import org.rlhf4j.core.pretrained.PretrainedModel;
import org.rlhf4j.core.training.MetricsLog;
import org.rlhf4j.datasets.ChatMessage;
import org.rlhf4j.datasets.ChatMlTemplate;

/** End to end: a tiny random Llama learns single-digit addition from 30 ChatML conversations. */
class SftLearnsAdditionTest {

    @TempDir
    Path dir;

    @Test
    void lossFallsAndGreedyAnswersBecomeRight() throws Exception {
        Path model = SftFixtures.tinyModel(dir.resolve("model"), 64, 2, 1);
        List<List<ChatMessage>> conversations = SftFixtures.additions(30);
        TrainingData data = TrainingData.of(SftFixtures.tokenized(conversations, 64), List.of());
        SftConfig config = SftFixtures.config(model, dir.resolve("run"),
                SftFixtures.train(300, 8, 1, 3e-3, "cosine", 10, 0, 0, null));
        SftTrainer.Summary summary = new SftTrainer(config, (tokenizer, maxSeqLen) -> data).run();

        List<JsonNode> metrics = MetricsLog.read(dir.resolve("run").resolve(MetricsLog.FILE_NAME));
        double first = metrics.get(0).get("loss").asDouble();
        double last = metrics.get(metrics.size() - 1).get("loss").asDouble();
        assertTrue(last < 0.2 * first, "loss " + first + " -> " + last);

        int right = 0;
        StringBuilder answers = new StringBuilder();
        try (PretrainedModel trained = PretrainedModel.load(summary.finalModel())) {
            TextGenerator generator = new TextGenerator(trained.model(), trained.manager());
            for (List<ChatMessage> c : conversations) {
                int[] prompt = trained.tokenizer().encode(ChatMlTemplate.prompt(null, c.get(0).content()));
                int[] response = generator.generate(prompt, SamplingParams.greedy(4), trained.stopTokenIds(), id -> { })
                        .responseIds();
                String text = trained.tokenizer().decode(response, true).trim();
                answers.append(c.get(0).content()).append('=').append(text).append("; ");
                right += text.equals(c.get(1).content()) ? 1 : 0;
            }
        }
        assertTrue(right >= 24, right + "/30 right: " + answers);
    }
}
