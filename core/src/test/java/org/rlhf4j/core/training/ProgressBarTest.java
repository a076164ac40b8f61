package org.rlhf4j.core.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProgressBarTest {

    @Test
    void plainOutputPrintsOneLinePerLoggedStepWithTheWindowsMeanLoss() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ProgressBar bar = new ProgressBar(new PrintStream(bytes, true, StandardCharsets.UTF_8), false, 10, 0);
        bar.update(1, 2.0, 100, false);
        bar.update(5, 1.5, 4100, true);
        bar.finish();
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(1, text.lines().count());
        // the mean of the window's steps (2.0, 1.5): the metrics line's loss, not the last step's
        assertTrue(text.startsWith("step 5/10 [##########..........] loss 1.7500 | 4,100 tok/s | ETA "), text);
        bar.update(6, 3.0, 100, true); // a new window starts after a logged step
        assertTrue(bytes.toString(StandardCharsets.UTF_8).lines().toList().get(1).contains("loss 3.0000"));
    }

    @Test
    void aStageCanShowItsOwnFiguresAndUnit() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ProgressBar bar = new ProgressBar(new PrintStream(bytes, true, StandardCharsets.UTF_8), false, "iteration",
                "tok/s", 4, 0);
        bar.update(2, "score 0.53 | kl 0.08", 900, true);
        assertTrue(bytes.toString(StandardCharsets.UTF_8)
                .startsWith("iteration 2/4 [##########..........] score 0.53 | kl 0.08 | 900 tok/s | ETA "));
    }

    @Test
    void aPhasePrintsItsFirstLineThenOnlyEveryFewSecondsAndAtTheEnd() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ProgressBar bar = new ProgressBar(new PrintStream(bytes, true, StandardCharsets.UTF_8), false,
                "reference log-probs", "rows/s", 1077, 0, 0);
        bar.advance(320);
        bar.advance(640); // within the print interval: no line
        bar.advance(1077);
        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(2, lines.size(), lines.toString());
        assertTrue(lines.get(0).startsWith("reference log-probs 320/1077 [#####...............] | "), lines.get(0));
        assertTrue(lines.get(1).startsWith("reference log-probs 1077/1077 [####################] | "), lines.get(1));
    }

    @Test
    void aShortPhaseShowsNothing() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ProgressBar bar = new ProgressBar(new PrintStream(bytes, true, StandardCharsets.UTF_8), false,
                "reference log-probs", "rows/s", 10, 0);
        bar.advance(10);
        bar.finish();
        assertEquals("", bytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void durationsReadNaturally() {
        assertEquals("59s", ProgressBar.duration(59));
        assertEquals("1m05s", ProgressBar.duration(65));
        assertEquals("2h03m", ProgressBar.duration(7380));
    }
}
