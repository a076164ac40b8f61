package org.rlhf4j.sft;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class SftLossTest {

    /** -log softmax(row)[target], computed in double from the definition. */
    private static double crossEntropy(float[] row, int target) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : row) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (float v : row) {
            sum += Math.exp(v - max);
        }
        return -(row[target] - max - Math.log(sum));
    }

    @Test
    void handComputedTwoTokenCase() {
        // B=1, T=3, V=2. Targets ids[1]=1 (from logits[0]=[0,0]) and ids[2]=0 (from logits[1]=[ln 3, 0]).
        // -log(1/2) = 0.693147; -log(3/4) = 0.287682; sum 0.980829, normaliser 2 -> 0.490415
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            NDArray logits = m.create(new float[] {0, 0, (float) Math.log(3), 0, 5, -5}, new Shape(1, 3, 2));
            NDArray ids = m.create(new long[] {1, 1, 0}, new Shape(1, 3));
            NDArray mask = m.create(new float[] {0, 1, 1}, new Shape(1, 3));
            SftLoss.Result r = SftLoss.of(logits, ids, mask, 2f);
            assertEquals(0.490415, r.loss().getFloat(), 1e-6);
            assertEquals(0.980829, r.nll().getFloat(), 1e-6);
        }
    }

    @Test
    void matchesManualCrossEntropyWithPaddingAndAnAllMaskedRow() {
        int b = 3;
        int t = 4;
        int v = 5;
        float[] logits = new float[b * t * v];
        java.util.SplittableRandom random = new java.util.SplittableRandom(3);
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) (random.nextDouble() * 6 - 3);
        }
        long[] ids = {
            1, 4, 2, 0, // row 0: full length, targets at 1..3
            3, 2, 0, 0, // row 1: length 2, padding (id 0) at 2..3
            2, 2, 1, 3, // row 2: all masked (a prompt only)
        };
        float[] mask = {
            0, 1, 1, 1,
            0, 1, 0, 0,
            0, 0, 0, 0,
        };
        double manual = 0;
        for (int r = 0; r < b; r++) {
            for (int p = 1; p < t; p++) {
                if (mask[r * t + p] > 0) {
                    float[] row = java.util.Arrays.copyOfRange(logits, (r * t + p - 1) * v, (r * t + p) * v);
                    manual += crossEntropy(row, (int) ids[r * t + p]);
                }
            }
        }
        float normaliser = 7f; // e.g. the target tokens of a whole accumulated batch, of which these are 4
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            SftLoss.Result r = SftLoss.of(m.create(logits, new Shape(b, t, v)), m.create(ids, new Shape(b, t)),
                    m.create(mask, new Shape(b, t)), normaliser);
            assertEquals(manual / normaliser, r.loss().getFloat(), 1e-6);
            assertEquals(manual, r.nll().getFloat(), 1e-5);

            // Values at masked positions change nothing: scramble the logits that predict padding and prompts.
            float[] changed = logits.clone();
            for (int p = 0; p < t; p++) {
                for (int k = 0; k < v; k++) {
                    changed[(2 * t + p) * v + k] = 100f * k; // row 2 entirely
                    if (p >= 1) {
                        changed[(t + p) * v + k] = -50f; // row 1 from position 1, which predicts padding
                    }
                }
            }
            changed[3 * v] = 42f; // row 0's last position predicts nothing
            SftLoss.Result same = SftLoss.of(m.create(changed, new Shape(b, t, v)), m.create(ids, new Shape(b, t)),
                    m.create(mask, new Shape(b, t)), normaliser);
            assertEquals(r.loss().getFloat(), same.loss().getFloat(), 0f);
        }
    }

    @Test
    void lengthOneSequencesHaveNoTargets() {
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            NDArray logits = m.create(new float[] {1, 2, 3, 4, 5, 6}, new Shape(2, 1, 3)); // (B=2, T=1, V=3)
            NDArray ids = m.create(new long[] {2, 0}, new Shape(2, 1));
            NDArray mask = m.create(new float[] {0, 0}, new Shape(2, 1));
            assertEquals(0f, SftLoss.of(logits, ids, mask, 1f).loss().getFloat(), 0f);
        }
    }

    @Test
    void theChunkedHeadGivesTheLossOfTheLogits() {
        org.rlhf4j.core.model.LlamaConfig config = org.rlhf4j.core.model.LlamaConfig.parse("{\"hidden_size\":16,"
                + "\"intermediate_size\":32,\"num_hidden_layers\":1,\"num_attention_heads\":2,\"vocab_size\":40}");
        try (NDManager m = NDManager.newBaseManager(Device.cpu());
                org.rlhf4j.core.model.Recompute tape = org.rlhf4j.core.model.Recompute.install(
                        new org.rlhf4j.core.model.MemoryOptions(false, 3))) { // 2 x 4 = 8 tokens: chunks of 3, 3, 2
            org.rlhf4j.core.model.LlamaModel model = new org.rlhf4j.core.model.LlamaModel(
                    org.rlhf4j.core.model.ModelWeights.random(config, m, 3));
            NDArray ids = m.create(new long[][] {{1, 5, 9, 2, 7}, {3, 3, 8, 0, 0}});
            NDArray mask = m.create(new float[][] {{0, 0, 1, 1, 1}, {0, 1, 1, 0, 0}}); // row 2 right-padded
            NDArray hidden = model.hidden(ids, null); // (2, 5, D)
            SftLoss.Result whole = SftLoss.of(model.logits(hidden), ids, mask, 5f);
            SftLoss.Result chunked = SftLoss.of(model, hidden, ids, mask, 5f);
            assertEquals(whole.loss().getFloat(), chunked.loss().getFloat(), 1e-6);
            assertEquals(whole.nll().getFloat(), chunked.nll().getFloat(), 1e-5); // a sum over 5 tokens of O(4)
            NDArray none = m.zeros(new Shape(2, 5)); // all masked: loss 0
            assertEquals(0f, SftLoss.of(model, hidden, ids, none, 1f).loss().getFloat(), 0f);
        }
    }
}
