package org.rlhf4j.core.rollout;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.rlhf4j.core.tokenizer.Tokenizer;

/**
 * Prompts and responses in the one padded layout every model of a stage reads: prompts
 * left-padded to a common length P, responses right-padded to a common length A, so that every
 * response starts at column P. The arrays belong to the manager the batch was created in.
 *
 * <p>Response token {@code t} of a row (column {@code P + t}) is predicted by the model's output
 * at column {@code P + t - 1}; {@link RolloutScorer} reads log-probs, entropies and values
 * there.
 *
 * @param ids (B, T) int64 token ids, T = P + A: prompt left-padded, then response right-padded;
 *     pads hold id 0 (any id would do: they are masked)
 * @param attentionMask (B, T) int64, 1 at real prompt and response tokens, 0 at pads
 * @param positionIds (B, T) int64 {@code max(cumsum(attentionMask) - 1, 0)}: each row's real
 *     tokens count 0, 1, 2, ... whatever its padding
 * @param responseMask (B, A) float32, 1 at response tokens (including the EOS or stop id that
 *     ended the row), 0 at the pads after a row ended
 * @param logps (B, A) float32 {@code log pi(a_t | s_t)} of the sampled tokens under the policy
 *     that generated them, {@code log_softmax(logits / temperature)}, 0 at pads; null for a batch
 *     made by {@link #of} from given responses
 * @param temperature the temperature of {@code logps} (1 when greedy or given)
 * @param promptLength P, the column where responses start
 * @param rows the rows on the Java side: ids without padding, response texts, finish reasons
 */
public record RolloutBatch(
        NDArray ids,
        NDArray attentionMask,
        NDArray positionIds,
        NDArray responseMask,
        NDArray logps,
        double temperature,
        int promptLength,
        List<Completion> rows) {

    /** Id written into pad slots. */
    public static final int PAD_ID = 0;

    public RolloutBatch {
        rows = List.copyOf(rows);
    }

    /** B, the number of rows. */
    public int batchSize() {
        return rows.size();
    }

    /** A, the response columns. */
    public int responseLength() {
        return (int) responseMask.getShape().get(1);
    }

    /** T = P + A. */
    public int totalLength() {
        return (int) ids.getShape().get(1);
    }

    /**
     * Each row's prompt and response as text, special tokens included, for a reward model whose
     * tokenizer differs from the policy's (models that share the tokenizer read {@link #ids}).
     */
    public List<String> texts(Tokenizer tokenizer) {
        List<String> texts = new ArrayList<>(rows.size());
        for (Completion row : rows) {
            texts.add(tokenizer.decode(row.promptIds(), false) + row.responseText());
        }
        return texts;
    }

    /**
     * A batch of given prompts and responses (DPO's reference pass, tests, rescoring), with
     * {@link FinishReason#GIVEN} and no sampled log-probs; response texts are decoded with
     * {@code tokenizer}.
     */
    public static RolloutBatch of(List<int[]> prompts, List<int[]> responses, Tokenizer tokenizer,
            NDManager manager) {
        if (prompts.size() != responses.size()) {
            throw new IllegalArgumentException(prompts.size() + " prompts but " + responses.size() + " responses");
        }
        List<Completion> rows = new ArrayList<>(prompts.size());
        for (int b = 0; b < prompts.size(); b++) {
            int[] response = responses.get(b);
            rows.add(new Completion(prompts.get(b).clone(), response.clone(), tokenizer.decode(response, true),
                    FinishReason.GIVEN));
        }
        return assemble(rows, null, 1, manager);
    }

    /**
     * A batch of rows sampled before, kept from other batches (DAPO's dynamic sampling keeps the
     * groups whose scores differ): row {@code b}'s sampled log-probs are {@code logps.get(b)}, one per
     * response token, at {@code temperature}.
     */
    public static RolloutBatch ofSampled(List<Completion> rows, List<float[]> logps, double temperature,
            NDManager manager) {
        int a = rows.stream().mapToInt(r -> r.responseIds().length).max().orElse(0);
        float[] flat = new float[rows.size() * a];
        for (int b = 0; b < rows.size(); b++) {
            System.arraycopy(logps.get(b), 0, flat, b * a, rows.get(b).responseIds().length);
        }
        return assemble(rows, flat, temperature, manager);
    }

    /**
     * Lays {@code rows} out as arrays in {@code manager}; {@code logps} holds each row's sampled
     * log-probs at {@code [row * stride, row * stride + response length)}, or is null.
     */
    static RolloutBatch assemble(List<Completion> rows, float[] logps, double temperature, NDManager manager) {
        int batch = rows.size();
        if (batch == 0) {
            throw new IllegalArgumentException("a rollout batch needs at least one row");
        }
        int p = rows.stream().mapToInt(r -> r.promptIds().length).max().orElse(0);
        int a = rows.stream().mapToInt(r -> r.responseIds().length).max().orElse(0);
        int t = p + a;
        int stride = logps == null ? 0 : logps.length / batch;
        long[] ids = new long[batch * t];
        long[] mask = new long[batch * t];
        long[] positions = new long[batch * t];
        float[] responseMask = new float[batch * a];
        float[] responseLogps = new float[batch * a];
        for (int b = 0; b < batch; b++) {
            int[] prompt = rows.get(b).promptIds();
            int[] response = rows.get(b).responseIds();
            if (prompt.length == 0) {
                throw new IllegalArgumentException("row " + b + ": the prompt is empty (the first response token"
                        + " needs a position to be predicted from)");
            }
            int start = b * t + p - prompt.length;
            for (int i = 0; i < prompt.length; i++) {
                ids[start + i] = prompt[i];
                mask[start + i] = 1;
                positions[start + i] = i;
            }
            for (int i = 0; i < response.length; i++) {
                ids[b * t + p + i] = response[i];
                mask[b * t + p + i] = 1;
                positions[b * t + p + i] = prompt.length + i;
                responseMask[b * a + i] = 1;
                if (logps != null) {
                    responseLogps[b * a + i] = logps[b * stride + i];
                }
            }
            // Trailing pads repeat the last position (cumsum - 1), as AttentionMask.positionIds does.
            for (int i = response.length; i < a; i++) {
                positions[b * t + p + i] = prompt.length + response.length - 1;
            }
        }
        Shape full = new Shape(batch, t);
        Shape answer = new Shape(batch, a);
        return new RolloutBatch(manager.create(ids, full), manager.create(mask, full),
                manager.create(positions, full), manager.create(responseMask, answer),
                logps == null ? null : manager.create(responseLogps, answer), temperature, p, rows);
    }
}
