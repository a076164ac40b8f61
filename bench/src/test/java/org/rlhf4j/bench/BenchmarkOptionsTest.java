package org.rlhf4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BenchmarkOptionsTest {

    @Test
    void noFlagsGiveTheFixedBenchmark() {
        assertEquals(new BenchmarkOptions(0, 20, 3, 8, 256), BenchmarkOptions.parse(new String[0]));
    }

    @Test
    void flagsTakeSeparateOrInlineValues() {
        BenchmarkOptions o = BenchmarkOptions.parse(
                new String[] {"--threads", "2", "--steps=5", "--warmup", "0", "--batch=4", "--seq", "64"});
        assertEquals(new BenchmarkOptions(2, 5, 0, 4, 64), o);
        assertEquals(256, o.tokensPerStep());
    }

    @Test
    void errorsNameTheFlag() {
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> BenchmarkOptions.parse(new String[] {"--step", "5"})).getMessage().contains("--step"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> BenchmarkOptions.parse(new String[] {"--steps", "five"})).getMessage().contains("--steps"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> BenchmarkOptions.parse(new String[] {"--steps", "0"})).getMessage().contains("--steps"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> BenchmarkOptions.parse(new String[] {"--seq"})).getMessage().contains("--seq"));
    }
}
