package org.rlhf4j.core.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.rlhf4j.core.config.ConfigException;
import org.rlhf4j.core.config.ConfigLoader;
import org.rlhf4j.core.model.MemoryOptions;

class TrainConfigTest {

    private static TrainConfig parse(String yaml, String... overrides) throws Exception {
        java.nio.file.Path file = java.nio.file.Files.createTempFile("train", ".yaml");
        try {
            java.nio.file.Files.writeString(file, yaml);
            ObjectNode tree = ConfigLoader.readTree(file, List.of(overrides));
            return ConfigLoader.bind(tree, TrainConfig.class, "train.yaml");
        } finally {
            java.nio.file.Files.delete(file);
        }
    }

    @Test
    void defaultsAndDerivedValues() throws Exception {
        TrainConfig c = parse("max_steps: 50\n");
        assertEquals(8, c.batchSize());
        assertEquals(1, c.gradAccum());
        assertEquals("cosine", c.schedule());
        assertEquals(1.0, c.maxGradNorm());
        assertEquals(50, c.totalSteps(1000));
        // epochs: 3 epochs of 10 micro-batches taken 4 at a time = ceil(30 / 4) = 8 steps
        assertEquals(8, parse("epochs: 3\ngrad_accum: 4\n").totalSteps(10));
        assertTrue(c.logsAt(50, 50));
        assertTrue(c.savesAt(50, 50));
        assertFalse(c.savesAt(49, 50));
        assertFalse(parse("max_steps: 5\nsave_every: 0\n").savesAt(5, 5));
        assertEquals(new MemoryOptions(false, MemoryOptions.AUTO), c.memory());
        assertEquals(new MemoryOptions(true, 0),
                parse("max_steps: 5\ngradient_checkpointing: true\nlogits_chunk_tokens: 0\n").memory());
    }

    @Test
    void errorsNameTheYamlKey() {
        assertEquals("train.yaml: train: set max_steps or epochs",
                assertThrows(ConfigException.class, () -> parse("batch_size: 2\n")).getMessage());
        assertTrue(assertThrows(ConfigException.class, () -> parse("max_steps: 5\ngrad_accum: 0\n"))
                .getMessage().contains("train.grad_accum must be >= 1"));
        assertTrue(assertThrows(ConfigException.class, () -> parse("max_steps: 5\nschedule: cosin\n"))
                .getMessage().contains("train.schedule"));
        assertTrue(assertThrows(ConfigException.class, () -> parse("max_steps: 5\nbatchsize: 2\n"))
                .getMessage().contains("did you mean 'batch_size'"));
        assertTrue(assertThrows(ConfigException.class, () -> parse("max_steps: 5\nlogits_chunk_tokens: -1\n"))
                .getMessage().contains("train.logits_chunk_tokens must be >= 0"));
    }

    @Test
    void theLossSpikeRuleIsOffUnlessGivenAndTakesDefaults() throws Exception {
        assertEquals(null, parse("max_steps: 5\n").maxLossSpike());
        LossSpikeRule rule = parse("max_steps: 5\nmax_loss_spike: {}\n").maxLossSpike();
        assertEquals(new LossSpikeRule(10.0, 20, 100), rule);
        assertEquals(4.0, parse("max_steps: 5\n", "max_loss_spike.factor=4").maxLossSpike().factor());
        assertEquals("train.yaml: train.max_loss_spike.factor must be finite and > 1, got 1.0",
                assertThrows(ConfigException.class, () -> parse("max_steps: 5\nmax_loss_spike: {factor: 1}\n"))
                        .getMessage());
    }
}
