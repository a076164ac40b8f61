package org.rlhf4j.datasets.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Expected values printed by {@code /usr/bin/python3} 3.11.7 with {@code random.Random(seed)}. */
class PythonRandomTest {

    @Test
    void randomMatchesPython() {
        // [r.random() for _ in range(3)] with Random(1)
        PythonRandom r = new PythonRandom(1);
        assertEquals(0.13436424411240122, r.random());
        assertEquals(0.8474337369372327, r.random());
        assertEquals(0.763774618976614, r.random());
    }

    @Test
    void seedsOfOneAndTwoWordsMatchPython() {
        PythonRandom zero = new PythonRandom(0); // Python seeds 0 with the key [0]
        assertEquals(List.of(3626764237L, 1654615998L, 3255389356L),
                List.of(zero.getrandbits(32), zero.getrandbits(32), zero.getrandbits(32)));
        PythonRandom wide = new PythonRandom((1L << 40) + 3); // key [3, 256]
        assertEquals(List.of(943978446L, 261273136L), List.of(wide.getrandbits(32), wide.getrandbits(32)));
    }

    @Test
    void randrangeMatchesPython() {
        PythonRandom five = new PythonRandom(5);
        assertEquals(List.of(9, 4, 5, 8, 0, 7, 3, 0, 2, 1, 5, 7), draws(12, () -> five.randrange(10)));
        PythonRandom nine = new PythonRandom(9);
        assertEquals(List.of(474, 627, 382, 273, 141, 190), draws(6, () -> nine.randrange(1000)));
    }

    @Test
    void randrangeOfOneStillConsumesAWordAsInPython() {
        // Random(5): [r.randrange(1) for _ in range(3)], then r.random()
        PythonRandom r = new PythonRandom(5);
        assertEquals(List.of(0, 0, 0), draws(3, () -> r.randrange(1)));
        assertEquals(0.8403481205226678, r.random());
    }

    @Test
    void choiceShuffleAndSampleMatchPython() {
        PythonRandom six = new PythonRandom(6); // [r.choice('abcdefg') for _ in range(10)]
        List<String> letters = List.of("a", "b", "c", "d", "e", "f", "g");
        assertEquals(List.of("g", "e", "g", "a", "d", "g", "c", "a", "a", "b"), draws(10, () -> six.choice(letters)));

        PythonRandom seven = new PythonRandom(7); // x = list(range(10)); r.shuffle(x)
        List<Integer> x = new ArrayList<>(IntStream.range(0, 10).boxed().toList());
        seven.shuffle(x);
        assertEquals(List.of(8, 3, 1, 4, 7, 0, 9, 6, 2, 5), x);

        PythonRandom eight = new PythonRandom(8); // [r.sample(['x', 'y'], 2) for _ in range(6)]
        List<String> xy = List.of("x", "y");
        List<String> yx = List.of("y", "x");
        assertEquals(List.of(xy, yx, xy, xy, xy, yx), draws(6, () -> eight.sample(xy, 2)));
    }

    private static <T> List<T> draws(int n, java.util.function.Supplier<T> draw) {
        List<T> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(draw.get());
        }
        return out;
    }
}
