package org.rlhf4j.core.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.rlhf4j.core.model.WeightLayout;

/**
 * AdamW with PyTorch's {@code torch.optim.AdamW} update rule over parameters keyed by Hugging
 * Face tensor names, with state that can be exported and loaded for an exact resume.
 *
 * <p>For each parameter with a gradient, at its own step count {@code t} (starting at 1):
 *
 * <pre>
 * p  -= lr * wd * p                      (decoupled decay; wd = 0 for norms and biases)
 * m   = b1 * m + (1 - b1) * g
 * v   = b2 * v + (1 - b2) * g^2
 * p  -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
 * </pre>
 *
 * <p>The update runs in libtorch's fused AdamW kernel that DJL exposes (one JNI call per
 * parameter, no Java-side temporaries, so nothing can leak into a long-lived manager). That
 * kernel adds {@code eps} to {@code sqrt(v)} before bias correction and takes one bias-corrected
 * step size; passing {@code eps * sqrt(1 - b2^t)} and {@code lr * sqrt(1 - b2^t) / (1 - b1^t)}
 * makes it PyTorch's formula exactly (algebraically; results match PyTorch to float rounding,
 * not bit for bit, because the kernel orders its float operations differently). Scalars reach
 * the kernel as float32 whatever the parameter's dtype, so the betas are in effect
 * {@code (float) beta} (0.999 becomes 0.99900001); the bias corrections use the same rounded
 * values so that they stay consistent with the moments.
 *
 * <p>A parameter whose gradient is absent (libtorch has none: the parameter took no part in any
 * backward pass yet) is skipped entirely, as PyTorch skips {@code grad is None}: no decay, no
 * moment update, and its step count does not advance, so step counts are per parameter, as in
 * PyTorch's state. {@link #step} zeroes each gradient it consumed, in place: DJL cannot reset a
 * gradient to absent, so this is PyTorch's {@code zero_grad(set_to_none=False)}; from then on a
 * parameter outside the graph sees a zero gradient (its moments decay and weight decay applies),
 * exactly as in PyTorch with {@code set_to_none=False}.
 *
 * <p>The moments live in a sub-manager created at construction and released by {@link #close};
 * they are updated in place and never re-created.
 */
public final class AdamW implements AutoCloseable {

    /** State key prefix of the first moment: {@code exp_avg/<parameter name>}, as PyTorch names it. */
    public static final String EXP_AVG = "exp_avg/";
    /** State key prefix of the second moment: {@code exp_avg_sq/<parameter name>}. */
    public static final String EXP_AVG_SQ = "exp_avg_sq/";
    /** State key prefix of a parameter's step count, a float32 scalar as in PyTorch's state. */
    public static final String STEP = "step/";

    private final AdamWConfig config;
    private final NDManager state;
    private final String[] names;
    private final PtNDArray[] parameters;
    private final PtNDArray[] expAvg;
    private final PtNDArray[] expAvgSq;
    private final float[] weightDecays;
    private final long[] steps;

    /**
     * Creates zero moments for every parameter, in a new sub-manager of {@code parent} that this
     * optimizer owns.
     *
     * @param parameters trainable arrays by HF tensor name, each with
     *     {@code setRequiresGradient(true)}; the optimizer keeps references, not copies
     */
    public AdamW(Map<String, NDArray> parameters, AdamWConfig config, NDManager parent) {
        this.config = Objects.requireNonNull(config, "config");
        int n = parameters.size();
        names = new String[n];
        this.parameters = new PtNDArray[n];
        expAvg = new PtNDArray[n];
        expAvgSq = new PtNDArray[n];
        weightDecays = new float[n];
        steps = new long[n];
        int i = 0;
        for (Map.Entry<String, NDArray> e : parameters.entrySet()) {
            PtNDArray p = ParameterGradients.pytorch(e.getValue());
            if (!p.hasGradient()) {
                throw new IllegalArgumentException("parameter " + e.getKey()
                        + " does not require a gradient: call setRequiresGradient(true) or leave it out");
            }
            names[i] = e.getKey();
            this.parameters[i] = p;
            weightDecays[i] = WeightLayout.isNoDecay(e.getKey()) ? 0f : (float) config.weightDecay();
            i++;
        }
        state = parent.newSubManager();
        // Created once, up front: lazily created state is what NDScope closed in the prototype.
        for (i = 0; i < n; i++) {
            PtNDArray p = this.parameters[i];
            expAvg[i] = (PtNDArray) state.zeros(p.getShape(), p.getDataType(), p.getDevice());
            expAvgSq[i] = (PtNDArray) state.zeros(p.getShape(), p.getDataType(), p.getDevice());
        }
    }

    public AdamWConfig config() {
        return config;
    }

    /**
     * Applies one AdamW update at learning rate {@code lr} to every parameter that has a
     * gradient, then zeroes those gradients.
     */
    public void step(double lr) {
        if (!(lr >= 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("learning rate must be finite and >= 0, got " + lr);
        }
        float beta1 = (float) config.beta1();
        float beta2 = (float) config.beta2();
        for (int i = 0; i < parameters.length; i++) {
            PtNDArray grad = JniUtils.getGradient(parameters[i]); // the parameter's shape, or null
            if (grad == null) {
                continue; // no gradient yet: skipped like PyTorch's `grad is None`
            }
            // Closing the wrapper releases only this handle; libtorch keeps the gradient itself.
            try (grad) {
                long t = ++steps[i];
                // The kernel decays the moments by the float32 betas; correcting by the same
                // rounded betas keeps m_hat and v_hat exact weighted means (v_hat = g^2 at t = 1).
                double biasCorrection1 = 1 - Math.pow(beta1, t);
                double biasCorrection2Sqrt = Math.sqrt(1 - Math.pow(beta2, t));
                float stepSize = (float) (lr * biasCorrection2Sqrt / biasCorrection1);
                float eps = (float) (config.eps() * biasCorrection2Sqrt);
                // rescale 1 and clip -1 switch off DJL's MXNet-style gradient rescaling and clipping.
                JniUtils.adamUpdate(parameters[i], grad, expAvg[i], expAvgSq[i],
                        (float) lr, stepSize, weightDecays[i], 1f, -1f, beta1, beta2, eps, true);
            }
            ParameterGradients.zero(parameters[i]);
        }
    }

    /** Zeroes every parameter's gradient in place, e.g. after a step skipped for a non-finite loss. */
    public void zeroGradients() {
        for (PtNDArray p : parameters) {
            ParameterGradients.zero(p);
        }
    }

    /** How many updates {@code parameter} has received (PyTorch's per-parameter {@code step}). */
    public long stepCount(String parameter) {
        return steps[indexOf(parameter)];
    }

    /**
     * Copies of the optimizer state, all owned by {@code manager}: per parameter
     * {@code exp_avg/<name>} and {@code exp_avg_sq/<name>} (the parameter's shape and dtype) and
     * {@code step/<name>} (float32 scalar), in parameter order.
     */
    public Map<String, NDArray> exportState(NDManager manager) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (int i = 0; i < names.length; i++) {
            out.put(EXP_AVG + names[i], copyInto(expAvg[i], manager));
            out.put(EXP_AVG_SQ + names[i], copyInto(expAvgSq[i], manager));
            out.put(STEP + names[i], manager.create((float) steps[i]));
        }
        return out;
    }

    /**
     * Overwrites the state with {@code saved}, as written by {@link #exportState}; the arrays are
     * copied, so the caller keeps ownership of them. The key set must match this optimizer's
     * parameters exactly and shapes must agree; moments of another dtype are converted. Nothing
     * is changed when validation fails.
     */
    public void loadState(Map<String, NDArray> saved) {
        List<String> missing = new ArrayList<>();
        for (String name : names) {
            for (String key : List.of(EXP_AVG + name, EXP_AVG_SQ + name, STEP + name)) {
                if (!saved.containsKey(key)) {
                    missing.add(key);
                }
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("optimizer state lacks " + missing.size() + " entries: "
                    + abbreviate(missing));
        }
        if (saved.size() != 3 * names.length) {
            List<String> unknown = new ArrayList<>(saved.keySet());
            for (String name : names) {
                unknown.removeAll(List.of(EXP_AVG + name, EXP_AVG_SQ + name, STEP + name));
            }
            throw new IllegalArgumentException("optimizer state has entries for no parameter of this optimizer: "
                    + abbreviate(unknown));
        }
        long[] loadedSteps = new long[names.length];
        try (NDManager scope = state.newSubManager()) {
            // Conversions below attach to the saved arrays' managers unless borrowed into the scope.
            scope.tempAttachAll(saved.values().toArray(new NDArray[0]));
            for (int i = 0; i < names.length; i++) {
                requireShape(saved.get(EXP_AVG + names[i]), expAvg[i], EXP_AVG + names[i]);
                requireShape(saved.get(EXP_AVG_SQ + names[i]), expAvgSq[i], EXP_AVG_SQ + names[i]);
                loadedSteps[i] = readStep(saved.get(STEP + names[i]), STEP + names[i]);
            }
            for (int i = 0; i < names.length; i++) {
                overwrite(expAvg[i], saved.get(EXP_AVG + names[i]));
                overwrite(expAvgSq[i], saved.get(EXP_AVG_SQ + names[i]));
            }
        }
        System.arraycopy(loadedSteps, 0, steps, 0, steps.length);
    }

    /** Releases the moments. The parameters belong to the caller and stay open. */
    @Override
    public void close() {
        state.close();
    }

    private int indexOf(String parameter) {
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(parameter)) {
                return i;
            }
        }
        throw new IllegalArgumentException("no parameter named " + parameter + " in this optimizer");
    }

    private static NDArray copyInto(NDArray source, NDManager manager) {
        NDArray copy = source.duplicate(); // lands in the source's manager; moved right away
        copy.attach(manager);
        return copy;
    }

    private static void requireShape(NDArray saved, NDArray own, String key) {
        if (!saved.getShape().equals(own.getShape())) {
            throw new IllegalArgumentException("optimizer state " + key + " has shape " + saved.getShape()
                    + ", the parameter has " + own.getShape());
        }
    }

    private static long readStep(NDArray saved, String key) {
        if (saved.size() != 1) {
            throw new IllegalArgumentException("optimizer state " + key + " must be a scalar, got shape "
                    + saved.getShape());
        }
        double value = saved.toType(DataType.FLOAT64, false).toDoubleArray()[0];
        if (!(value >= 0) || value != Math.rint(value)) {
            throw new IllegalArgumentException("optimizer state " + key
                    + " must be a non-negative whole number, got " + value);
        }
        return (long) value;
    }

    private static void overwrite(NDArray own, NDArray saved) {
        NDArray source = saved.getDataType() == own.getDataType()
                ? saved
                : saved.toType(own.getDataType(), false);
        own.set(source.toByteBuffer());
    }

    private static String abbreviate(List<String> keys) {
        return keys.size() <= 5 ? keys.toString() : keys.subList(0, 5) + " and " + (keys.size() - 5) + " more";
    }
}
