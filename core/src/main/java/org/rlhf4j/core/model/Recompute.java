package org.rlhf4j.core.model;

import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Supplier;

/**
 * The backward pass of the parts of a forward pass that ran without an autograd tape and are
 * recomputed with one when their gradient is needed: checkpointed decoder layers and the chunked
 * LM head. DJL has no custom autograd function, so each such part (a {@link Segment}) hands the
 * rest of the forward pass its output as a fresh leaf that requires a gradient; after the loss's
 * backward has filled that leaf's gradient g, the segment recomputes its output from its saved
 * input with the tape on, backpropagates g into it (the gradient of {@code sum(output * g)}) and
 * then the input's gradient into whatever produced the input. Segments run last to first, which is
 * a valid order because a segment's output is only read by work recorded after it.
 *
 * <p>A training run installs one on its thread for the run's length ({@code TrainingRun} does),
 * with the run's {@link MemoryOptions}; the model consults it, so the trainers' forward code does
 * not change, and each backward is {@link #backward(GradientCollector, NDArray)} instead of the
 * collector's. Without a tape, or outside a gradient collector (grad mode off), nothing is
 * recorded: no-grad scoring still chunks the head (which there costs nothing extra).
 */
public final class Recompute implements AutoCloseable {

    /** A part of the forward pass whose backward is deferred until its output's gradient is known. */
    interface Segment {
        /** The manager its saved arrays live in; a segment whose manager closed is dropped. */
        NDManager manager();

        /** Recomputes the part with the tape on and backpropagates its output's gradient through it. */
        void backward();
    }

    private static final ThreadLocal<Recompute> CURRENT = new ThreadLocal<>();

    private final MemoryOptions options;
    private final Recompute previous;
    private final Deque<Segment> pending = new ArrayDeque<>();

    private Recompute(MemoryOptions options, Recompute previous) {
        this.options = options;
        this.previous = previous;
    }

    /** Installs a tape with {@code options} on this thread until {@link #close}. */
    public static Recompute install(MemoryOptions options) {
        Recompute tape = new Recompute(options, CURRENT.get());
        CURRENT.set(tape);
        return tape;
    }

    /** The options in force on this thread: the installed tape's, else {@link MemoryOptions#DEFAULTS}. */
    public static MemoryOptions options() {
        Recompute tape = CURRENT.get();
        return tape == null ? MemoryOptions.DEFAULTS : tape.options;
    }

    /** The installed tape when a graph is being recorded (grad mode on), else null. */
    static Recompute recording() {
        Recompute tape = CURRENT.get();
        return tape != null && JniUtils.isGradMode() ? tape : null;
    }

    MemoryOptions memoryOptions() {
        return options;
    }

    void push(Segment segment) {
        pending.addLast(segment);
    }

    /**
     * Backpropagates {@code loss} (any shape; a gradient of ones), then every segment recorded on
     * this thread's tape since the last backward, last to first. Without pending segments this is
     * exactly {@code collector.backward(loss)}.
     */
    public static void backward(GradientCollector collector, NDArray loss) {
        Recompute tape = CURRENT.get();
        if (tape == null || tape.pending.isEmpty()) {
            collector.backward(loss);
            return;
        }
        try {
            NDArray ones = loss.getManager().ones(loss.getShape(), loss.getDataType());
            // keep the graph: a segment's input may share graph nodes with the loss
            backward(loss, ones, true);
            while (!tape.pending.isEmpty()) {
                Segment segment = tape.pending.removeLast();
                if (segment.manager().isOpen()) {
                    segment.backward();
                }
            }
        } finally {
            tape.pending.clear();
        }
    }

    /** Backpropagates the gradient {@code grad} of {@code output} (same shape), accumulating into leaves. */
    static void backward(NDArray output, NDArray grad, boolean keepGraph) {
        JniUtils.backward(pytorch(output), pytorch(grad), keepGraph, false);
    }

    /**
     * Backpropagates {@code grad} into the graph that produced {@code input}, keeping the graph (it
     * may be shared with other outputs); does nothing when {@code input} is in no graph (nothing
     * upstream requires a gradient, e.g. frozen embeddings). DJL cannot tell an op's result in a
     * graph from a constant (its {@code requiresGrad} is true for leaves only), so libtorch's own
     * refusal is the test.
     */
    static void backwardIntoGraph(NDArray input, NDArray grad) {
        try {
            backward(input, grad, true);
        } catch (EngineException e) {
            if (e.getMessage() == null || !e.getMessage().contains("does not require grad")) {
                throw e;
            }
        }
    }

    /**
     * The gradient libtorch accumulated on leaf {@code leaf}, moved to {@code owner}, or null when
     * the loss did not depend on it.
     */
    static NDArray gradientOrNull(NDArray leaf, NDManager owner) {
        NDArray grad = JniUtils.getGradient(pytorch(leaf));
        if (grad != null) {
            grad.attach(owner);
        }
        return grad;
    }

    /** A leaf over {@code value}'s data (no copy, no graph) that requires a gradient, owned by {@code owner}. */
    static NDArray leaf(NDArray value, NDManager owner) {
        NDArray leaf = value.stopGradient();
        leaf.attach(owner);
        leaf.setRequiresGradient(true);
        return leaf;
    }

    /** A handle on {@code value}'s data owned by {@code owner}, so that ops on it land there. */
    static NDArray view(NDArray value, NDManager owner) {
        NDArray view = value.stopGradient();
        view.attach(owner);
        return view;
    }

    /** Runs {@code work} with grad mode off (no graph recorded), restoring grad mode after. */
    static <T> T withoutTape(Supplier<T> work) {
        boolean was = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            return work.get();
        } finally {
            JniUtils.setGradMode(was);
        }
    }

    private static PtNDArray pytorch(NDArray array) {
        if (array instanceof PtNDArray pt) {
            return pt;
        }
        throw new IllegalArgumentException("recompute needs PyTorch engine arrays, got " + array.getClass().getName());
    }

    /** Uninstalls this tape, restoring the one installed before it. */
    @Override
    public void close() {
        pending.clear();
        if (CURRENT.get() == this) {
            if (previous == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(previous);
            }
        }
    }
}
