package org.rlhf4j.sft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlhf4j.core.pretrained.PretrainedModel;
import org.rlhf4j.core.training.PhaseTimer;
import org.rlhf4j.datasets.BatchCollator;
import org.rlhf4j.datasets.TrainingSequence;
import org.rlhf4j.testing.TinyModels;

/** Invariance: grad_accum 4 x batch 2 gives the gradient of one batch of 8 (TRL's normalisation). */
class AccumulationTest {

    @TempDir
    Path dir;

    private static Map<String, float[]> gradients(PretrainedModel policy, List<List<TrainingSequence>> micro,
            double[] loss) {
        BatchCollator collator = new BatchCollator(256, policy.config().effectiveSlidingWindow());
        Map<String, float[]> out = new LinkedHashMap<>();
        try (NDManager scope = policy.manager().newSubManager()) {
            scope.tempAttachAll(policy.model().weights().asList());
            loss[0] = SftTrainer.accumulate(policy.model(), collator, micro, scope, new PhaseTimer()).loss();
            for (Map.Entry<String, NDArray> e : policy.weights().entrySet()) {
                out.put(e.getKey(), e.getValue().getGradient().toFloatArray()); // the wrapper dies with the scope
            }
        }
        for (NDArray p : policy.weights().values()) {
            ai.djl.pytorch.jni.JniUtils.zeroGrad((ai.djl.pytorch.engine.PtNDArray) p);
        }
        return out;
    }

    @Test
    void fourMicroBatchesOfTwoEqualOneBatchOfEight() throws Exception {
        TinyModels.llama(dir.resolve("model"), 32, 2, 11);
        // rows of different lengths and target counts, so padding and per-row weights differ by grouping
        List<TrainingSequence> rows = SftFixtures.tokenized(List.of(
                SftFixtures.additions(40).get(3), SftFixtures.additions(40).get(17),
                List.of(org.rlhf4j.datasets.ChatMessage.user("hi"), org.rlhf4j.datasets.ChatMessage.assistant("hello there")),
                SftFixtures.additions(40).get(30),
                List.of(org.rlhf4j.datasets.ChatMessage.system("be brief"), org.rlhf4j.datasets.ChatMessage.user("x"),
                        org.rlhf4j.datasets.ChatMessage.assistant("a longer answer of many tokens")),
                SftFixtures.additions(40).get(5), SftFixtures.additions(40).get(9),
                List.of(org.rlhf4j.datasets.ChatMessage.user("q"), org.rlhf4j.datasets.ChatMessage.assistant(""))), 64);
        try (PretrainedModel policy = PretrainedModel.load(dir.resolve("model"))) {
            policy.model().weights().setRequiresGradient(true);
            double[] wholeLoss = new double[1];
            double[] accumulatedLoss = new double[1];
            Map<String, float[]> whole = gradients(policy, List.of(rows), wholeLoss);
            List<List<TrainingSequence>> micro = new ArrayList<>();
            for (int i = 0; i < 8; i += 2) {
                micro.add(rows.subList(i, i + 2));
            }
            Map<String, float[]> accumulated = gradients(policy, micro, accumulatedLoss);
            assertEquals(wholeLoss[0], accumulatedLoss[0], 1e-6);
            double maxNorm = 0;
            for (String name : whole.keySet()) {
                float[] a = whole.get(name);
                float[] b = accumulated.get(name);
                for (int i = 0; i < a.length; i++) {
                    assertEquals(a[i], b[i], 1e-6, name + "[" + i + "]");
                    maxNorm = Math.max(maxNorm, Math.abs(a[i]));
                }
            }
            assertTrue(maxNorm > 1e-4, "gradients are not trivially zero: max |g| " + maxNorm);
        }
    }
}
