package org.rlhf4j.core.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;

/** Tiny configs and array comparisons shared by the model tests. */
final class TinyModels {

    private TinyModels() {}

    /** A 2-layer Llama with D=32, H=4, hd=8, F=64, V=50 plus {@code extraJson} (e.g. {@code ,"num_key_value_heads":2}). */
    static LlamaConfig config(String extraJson) {
        return LlamaConfig.parse("{\"hidden_size\":32,\"intermediate_size\":64,\"num_hidden_layers\":2,"
                + "\"num_attention_heads\":4,\"vocab_size\":50,\"rms_norm_eps\":1e-5" + extraJson + "}");
    }

    static float maxAbsDiff(NDArray a, NDArray b) {
        return a.sub(b).abs().max().getFloat();
    }

    static void assertClose(NDArray expected, NDArray actual, float tolerance, String what) {
        assertTrue(expected.getShape().equals(actual.getShape()),
                what + ": shape " + actual.getShape() + " != " + expected.getShape());
        float diff = maxAbsDiff(expected, actual);
        assertTrue(diff <= tolerance, what + ": max |diff| " + diff + " > " + tolerance);
    }
}
