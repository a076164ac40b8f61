package org.rlhf4j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import org.rlhf4j.core.lora.LoraAdapters;

/**
 * Activation checkpointing of a decoder's layer stack: the forward pass keeps only each layer's
 * input (B, T, D) and frees the layer's intermediates at once; the backward pass recomputes the
 * layers last to first, each with the tape on, backpropagating the gradient of its output into
 * its weights and its input, which is the gradient of the layer below's output. Activation memory
 * falls from every intermediate of every layer to L inputs plus one layer's intermediates, for
 * one more forward of the layers.
 *
 * <p>The layers must compute the same function twice: they do (no dropout); a layer with random
 * draws would need its generator state saved.
 */
final class CheckpointedLayers implements Recompute.Segment {

    private final List<DecoderLayer> layers;
    private final NDArray input; // (B, T, D) the embeddings, in their graph
    private final List<NDArray> inputs; // (B, T, D) each layer's input, no graph
    private final NDArray output; // (B, T, D) the last layer's output, a leaf requiring a gradient
    private final RotaryEmbedding.Angles angles;
    private final NDArray bias;
    private final NDArray scale;
    private final NDManager manager;

    private CheckpointedLayers(List<DecoderLayer> layers, NDArray input, List<NDArray> inputs, NDArray output,
            RotaryEmbedding.Angles angles, NDArray bias, NDArray scale) {
        this.layers = layers;
        this.input = input;
        this.inputs = inputs;
        this.output = output;
        this.angles = angles;
        this.bias = bias;
        this.scale = scale;
        this.manager = input.getManager();
    }

    /**
     * Runs {@code layers} over {@code x} (B, T, D) without a tape, records their backward on
     * {@code tape} and returns the last layer's output as a leaf that requires a gradient; the
     * other arguments are {@link DecoderLayer#forward}'s.
     */
    static NDArray forward(Recompute tape, List<DecoderLayer> layers, NDArray x, RotaryEmbedding.Angles angles,
            NDArray bias, NDArray scale) {
        NDManager manager = x.getManager();
        List<NDArray> inputs = new ArrayList<>(layers.size());
        // LoRA dropout stays on without the tape, with the masks the recompute will replay
        NDArray last = LoraAdapters.untapedTraining(() -> Recompute.withoutTape(() -> {
            NDArray h = Recompute.view(x, manager); // (B, T, D)
            for (int i = 0; i < layers.size(); i++) {
                inputs.add(h);
                try (NDManager layer = manager.newSubManager()) { // this layer's intermediates die here
                    NDArray out = layers.get(i).forward(Recompute.view(h, layer), angles, bias, scale, null, i);
                    out.attach(manager);
                    h = out;
                }
            }
            return h;
        }));
        NDArray output = Recompute.leaf(last, manager);
        tape.push(new CheckpointedLayers(layers, x, inputs, output, angles, bias, scale));
        return output;
    }

    @Override
    public NDManager manager() {
        return manager;
    }

    @Override
    public void backward() {
        NDArray grad = Recompute.gradientOrNull(output, manager); // (B, T, D) dLoss/dOutput
        if (grad == null) {
            return; // the loss did not read the hidden states
        }
        for (int i = layers.size() - 1; i >= 0; i--) {
            try (NDManager layer = manager.newSubManager()) { // the recomputed graph dies after its backward
                NDArray in = Recompute.leaf(inputs.get(i), layer);
                int index = i;
                NDArray out = LoraAdapters.replayingDropout(
                        () -> layers.get(index).forward(in, angles, bias, scale, null, index)); // the forward's masks
                Recompute.backward(out, grad, false);
                grad.close();
                grad = Recompute.gradientOrNull(in, manager);
            }
            inputs.get(i).close(); // no longer needed: free as the backward walks down
        }
        Recompute.backwardIntoGraph(input, grad); // the embedding's gradient
        grad.close();
    }
}
