package org.rlhf4j.core.optim;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.Map;

/** Gives parameters chosen gradients by a real backward pass through {@code sum(p * c)}, whose gradient is {@code c}. */
final class GradientFixture {

    private GradientFixture() {}

    /**
     * Accumulates {@code gradients.get(name)} into the gradient of {@code parameters.get(name)},
     * as a backward pass does. (Keyed by name: NDArray's equals compares values.)
     */
    static void backward(Map<String, NDArray> parameters, Map<String, float[]> gradients) {
        NDManager owner = parameters.values().iterator().next().getManager();
        try (NDManager scope = owner.newSubManager();
                GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            // Borrowed so that every op result below lands in the scope, not the parameters' manager.
            scope.tempAttachAll(parameters.values().toArray(new NDArray[0]));
            NDArray loss = null;
            for (Map.Entry<String, float[]> e : gradients.entrySet()) {
                NDArray p = parameters.get(e.getKey());
                // c comes from Java data: kept open (in scope) until after backward, per DJL-NOTES item 2.
                NDArray c = scope.create(e.getValue(), p.getShape());
                NDArray term = p.mul(c).sum(); // ()
                loss = loss == null ? term : loss.add(term);
            }
            collector.backward(loss);
        }
    }

    /** The current gradient of {@code parameter} as floats, without leaving arrays behind. */
    static float[] gradientOf(NDArray parameter) {
        try (NDArray g = parameter.getGradient()) {
            return g.toFloatArray();
        }
    }
}
