package org.rlhf4j.sft;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlhf4j.core.generate.SamplingParams;
import ai.djl.ndarray.NDManager;
import org.rlhf4j.core.rollout.Completion;
import org.rlhf4j.core.rollout.EngineOptions;
import org.rlhf4j.core.rollout.RolloutEngine;
import org.rlhf4j.core.rollout.StopCriteria;
import org.rlhf4j.core.pretrained.PretrainedModel;
import org.rlhf4j.core.training.MetricsLog;
import org.rlhf4j.core.training.RunSummary;
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
        RunSummary summary = new SftTrainer(config, (tokenizer, maxSeqLen) -> data).run();

        List<JsonNode> metrics = MetricsLog.read(dir.resolve("run").resolve(MetricsLog.FILE_NAME));
        double first = metrics.get(0).get("loss").asDouble();
        double last = metrics.get(metrics.size() - 1).get("loss").asDouble();
        assertTrue(last < 0.2 * first, "loss " + first + " -> " + last);

        int right = 0;
        StringBuilder answers = new StringBuilder();
        try (PretrainedModel trained = PretrainedModel.load(summary.finalModel())) {
            RolloutEngine engine = new RolloutEngine(trained.model(), trained.tokenizer(), EngineOptions.defaults());
            List<int[]> prompts = conversations.stream()
                    .map(c -> trained.tokenizer().encode(ChatMlTemplate.prompt(null, c.get(0).content()))).toList();
            List<Completion> completions;
            try (NDManager scope = trained.manager().newSubManager()) {
                completions = engine.generate(prompts, SamplingParams.greedy(4),
                        StopCriteria.eos(trained.stopTokenIds()), scope).rows();
            }
            for (int i = 0; i < conversations.size(); i++) {
                String text = completions.get(i).responseText().trim();
                answers.append(conversations.get(i).get(0).content()).append('=').append(text).append("; ");
                right += text.equals(conversations.get(i).get(1).content()) ? 1 : 0;
            }
        }
        assertTrue(right >= 24, right + "/30 right: " + answers);
    }
}
