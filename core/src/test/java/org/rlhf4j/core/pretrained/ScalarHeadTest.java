package org.rlhf4j.core.pretrained;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlhf4j.core.config.UserException;
import org.rlhf4j.core.model.WeightLayout;

class ScalarHeadTest {

    @TempDir
    Path dir;

    private Path write(String name, String extraJson) throws IOException {
        String json = "{\"model_type\":\"llama\",\"hidden_size\":8,\"intermediate_size\":16,"
                + "\"num_hidden_layers\":1,\"num_attention_heads\":2,\"max_position_embeddings\":32,"
                + "\"tie_word_embeddings\":false" + extraJson + "}";
        Path out = dir.resolve(name);
        ModelInitializer.create(new InitConfig(1L, "byte", "float32", new ObjectMapper().readTree(json)), out, "test");
        return out;
    }

    @Test
    void swapReplacesTheLmHeadWithTheGivenScoreRow() throws IOException {
        Path causal = write("causal", ",\"architectures\":[\"LlamaForCausalLM\"]");
        float[] head = {1, 2, 3, 4, 5, 6, 7, 8};
        try (PretrainedModel rm = ScalarHead.load(causal, Device.cpu(), DataType.FLOAT32, d -> head)) {
            assertTrue(rm.config().architecture().hasScalarHead());
            assertEquals(1, rm.config().numLabels());
            assertFalse(rm.weights().containsKey(WeightLayout.LM_HEAD));
            NDArray score = rm.weights().get(WeightLayout.SCORE);
            assertEquals(new Shape(1, 8), score.getShape());
            assertArrayEquals(head, score.toFloatArray(), 0f);
        }
    }

    @Test
    void aClassifierIsLoadedAsItIsAndMustHaveOneLabel() throws IOException {
        Path one = write("one", ",\"architectures\":[\"LlamaForSequenceClassification\"],\"num_labels\":1");
        try (PretrainedModel rm = ScalarHead.load(one, Device.cpu(), DataType.FLOAT32, d -> {
            throw new AssertionError("a classifier keeps its head");
        })) {
            assertTrue(rm.model().hasScoreHead());
        }
        Path two = write("two", ",\"architectures\":[\"LlamaForSequenceClassification\"],\"num_labels\":2");
        UserException e = assertThrows(UserException.class,
                () -> ScalarHead.load(two, Device.cpu(), DataType.FLOAT32, float[]::new));
        assertTrue(e.getMessage().contains("num_labels 2"), e.getMessage());
    }

    @Test
    void aHeadOfTheWrongWidthIsRejected() throws IOException {
        Path causal = write("causal", ",\"architectures\":[\"LlamaForCausalLM\"]");
        assertThrows(IllegalArgumentException.class,
                () -> ScalarHead.load(causal, Device.cpu(), DataType.FLOAT32, d -> new float[d + 1]));
    }
}
