package org.rlhf4j.ppo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlhf4j.core.model.LmHeadLogps;
import org.rlhf4j.core.pretrained.PretrainedModel;
import org.rlhf4j.core.tokenizer.ByteTokenizer;
import org.rlhf4j.core.training.MetricsLog;
import org.rlhf4j.datasets.BatchCollator;
import org.rlhf4j.datasets.ChatTemplate;
import org.rlhf4j.datasets.DataConfig;
import org.rlhf4j.datasets.SftDataset;
import org.rlhf4j.datasets.TokenBatch;
import org.rlhf4j.datasets.TrainingSequence;

/**
 * PPO-ptx end to end on the letter task: the same run with and without the pretraining term. With it, the LM
 * loss on held-out text of the pretraining distribution ends lower than without it (InstructGPT's alignment tax
 * paid back), while the reward still rises; the {@code ptx_loss} metric is logged and falls.
 */
class PpoPtxLearnsTest {

    @TempDir
    Path dir;

    @Test
    void ptxKeepsTheHeldOutLmLossLowerWhileTheRewardStillRises() throws Exception {
        Path text = PpoFixtures.ptxText(dir.resolve("ptx.txt"), 48, 1);
        Path heldOut = PpoFixtures.ptxText(dir.resolve("held-out.txt"), 24, 2);
        Map<String, Double> plain = PpoFixtures.letterRun(dir.resolve("plain"), 0, c -> c);
        Map<String, Double> ptx = PpoFixtures.letterRun(dir.resolve("ptx"), 0, c -> new PpoConfig(c.model(),
                c.outputDir(), c.seed(), c.device(), c.dtype(), c.saveDtype(), c.data(), c.train(),
                c.ppo().withPtx(0.5, text.toString()), c.rewards()));
        double start = lmLoss(dir.resolve("plain/sft"), heldOut);
        double plainLoss = lmLoss(dir.resolve("plain/run/final"), heldOut);
        double ptxLoss = lmLoss(dir.resolve("ptx/run/final"), heldOut);
        String figures = "held-out LM loss: SFT " + start + ", PPO " + plainLoss + ", PPO-ptx " + ptxLoss
                + "; score gain PPO " + plain.get("score_gain") + ", PPO-ptx " + ptx.get("score_gain");
        assertTrue(ptxLoss < plainLoss - 0.2, figures);
        assertTrue(ptxLoss < start, figures);
        assertTrue(ptx.get("score_gain") >= 0.3, figures);
        List<JsonNode> lines = MetricsLog.read(dir.resolve("ptx/run").resolve(MetricsLog.FILE_NAME));
        assertEquals(24, lines.size());
        double first = lines.get(0).get("ptx_loss").asDouble();
        double last = lines.get(23).get("ptx_loss").asDouble();
        assertTrue(last < first, "ptx_loss " + first + " -> " + last);
        assertTrue(MetricsLog.read(dir.resolve("plain/run").resolve(MetricsLog.FILE_NAME)).get(0).get("ptx_loss") == null,
                "no ptx_loss without PPO-ptx");
    }

    /** Mean per-token NLL of {@code model} on {@code text}, read as pretrain reads it. */
    private static double lmLoss(Path model, Path text) throws Exception {
        try (PretrainedModel policy = PretrainedModel.load(model)) {
            List<TrainingSequence> rows = SftDataset.load(new DataConfig(text.toString(), null, null, null, null,
                    null, null), new ByteTokenizer(), ChatTemplate.CHATML, 128, true, 0).train();
            try (NDManager scope = policy.manager().newSubManager()) {
                TokenBatch batch = new BatchCollator(0, policy.config().effectiveSlidingWindow()).collate(rows, scope);
                NDArray hidden = policy.model().hidden(batch.ids(), batch.positionIds(), batch.attentionBias(), null);
                return PtxLoss.of(LmHeadLogps.nextTokenLogps(policy.model(), hidden, batch.ids()), batch.targetMask())
                        .getFloat();
            }
        }
    }
}
