package org.rlhf4j.core.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Assumptions;

/** Runs a kernel and its fallback on the same inputs and compares outputs and input gradients. */
final class KernelParity {

    static final double TOLERANCE = 1e-5;

    private KernelParity() {}

    /** Skips (with the reason in the report) where the bridge is off: the default build. */
    static void requireBridge() {
        Assumptions.assumeTrue(TorchBridge.active(),
                "fused kernels need JavaCPP's libtorch: run with mvn -P javacpp (" + TorchBridge.status().description()
                        + ")");
    }

    /** Output (flattened) followed by the gradient of {@code sum(out * probe)} for each input. */
    static List<float[]> outputAndGradients(NDManager manager, List<NDArray> inputs,
            Function<NDList, NDArray> kernel) {
        try (NDManager scope = manager.newSubManager()) {
            NDList copies = new NDList();
            for (NDArray input : inputs) {
                NDArray copy = input.duplicate();
                copy.attach(scope);
                copy.setRequiresGradient(true);
                copies.add(copy);
            }
            List<float[]> result = new ArrayList<>();
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray out = kernel.apply(copies);
                // a fixed, non-uniform weighting so every output element's gradient path is checked
                NDArray probe = scope.arange((float) out.size()).reshape(out.getShape()).sin();
                result.add(out.toFloatArray());
                gc.backward(out.mul(probe).sum());
            }
            for (NDArray copy : copies) {
                result.add(copy.getGradient().toFloatArray());
            }
            return result;
        }
    }

    static void assertParity(List<float[]> expected, List<float[]> actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            String what = i == 0 ? "output" : "gradient of input " + (i - 1);
            assertArrayEquals(expected.get(i), actual.get(i), (float) TOLERANCE, what);
        }
    }
}
