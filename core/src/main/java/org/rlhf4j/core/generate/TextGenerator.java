package org.rlhf4j.core.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.function.IntConsumer;
import org.rlhf4j.core.model.AttentionMask;
import org.rlhf4j.core.model.LlamaModel;
import org.rlhf4j.core.model.PreallocatedKvCache;

/**
 * Generates one response for one prompt with a key/value cache: the prompt goes through the
 * model once, then each new token once. The batched rollout engine (PPO, rejection sampling)
 * builds on the same model calls; this class serves {@code rlhf4j generate} for single prompts.
 */
public final class TextGenerator {

    private static final NDIndex LAST_POSITION = new NDIndex(":, -1, :");

    private final LlamaModel model;
    private final NDManager parent;

    public TextGenerator(LlamaModel model, NDManager parent) {
        this.model = model;
        this.parent = parent;
    }

    /** Why generation stopped. */
    public enum FinishReason {
        EOS, STOP, LENGTH;

        public String jsonName() {
            return name().toLowerCase();
        }
    }

    /** The generated ids (ending with the stop token when one was produced) and why it stopped. */
    public record Result(int[] responseIds, FinishReason finishReason) {}

    /**
     * Generates after {@code promptIds}, calling {@code onToken} with each new id as soon as it is
     * chosen (for streaming). Stops at any of {@code eosIds}, or after {@code maxNewTokens}.
     */
    public Result generate(int[] promptIds, SamplingParams params, int[] eosIds, IntConsumer onToken) {
        if (promptIds.length == 0) {
            throw new IllegalArgumentException("generate: the prompt is empty");
        }
        TokenSampler sampler = new TokenSampler(params);
        int capacity = promptIds.length + params.maxNewTokens();
        int[] out = new int[params.maxNewTokens()];
        int produced = 0;
        FinishReason reason = FinishReason.LENGTH;
        try (NDManager scope = parent.newSubManager();
                PreallocatedKvCache cache = PreallocatedKvCache.create(scope, model.config(), 1, capacity,
                        model.weights().dataType())) {
            int window = model.config().effectiveSlidingWindow();
            NDArray fullMask = scope.ones(new Shape(1, capacity), DataType.INT64); // (1, Tmax)
            long[] promptLong = Arrays.stream(promptIds).asLongStream().toArray();
            int next;
            try (NDManager step = scope.newSubManager()) {
                NDArray ids = step.create(promptLong, new Shape(1, promptIds.length)); // (1, P)
                NDArray positions = step.arange(0, promptIds.length, 1, DataType.INT64).reshape(1, -1); // (1, P)
                NDArray bias = AttentionMask.bias(fullMask.get(new NDIndex(":, :{}", promptIds.length)),
                        promptIds.length, window); // (1, 1, P, P)
                next = sampler.next(lastLogits(ids, positions, bias, cache));
            }
            while (true) {
                out[produced++] = next;
                onToken.accept(next);
                if (contains(eosIds, next)) {
                    reason = FinishReason.EOS;
                    break;
                }
                if (produced == params.maxNewTokens()) {
                    break;
                }
                long position = cache.length();
                try (NDManager step = scope.newSubManager()) {
                    NDArray ids = step.create(new long[] {next}, new Shape(1, 1)); // (1, 1)
                    NDArray positions = step.create(new long[] {position}, new Shape(1, 1)); // (1, 1)
                    NDArray bias = AttentionMask.bias(fullMask.get(new NDIndex(":, :{}", position + 1)), 1,
                            window); // (1, 1, 1, position + 1)
                    next = sampler.next(lastLogits(ids, positions, bias, cache));
                }
            }
        }
        return new Result(Arrays.copyOf(out, produced), reason);
    }

    private float[] lastLogits(NDArray ids, NDArray positions, NDArray bias, PreallocatedKvCache cache) {
        NDArray hidden = model.hidden(ids, positions, bias, cache); // (1, T, D)
        return model.logits(hidden.get(LAST_POSITION).expandDims(1)).toType(DataType.FLOAT32, false)
                .toFloatArray(); // (V)
    }

    private static boolean contains(int[] ids, int id) {
        for (int i : ids) {
            if (i == id) {
                return true;
            }
        }
        return false;
    }
}
