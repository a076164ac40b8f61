package org.rlhf4j.core.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressBarTest {

    @Test
    void plainOutputPrintsOneLinePerLoggedStep() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ProgressBar bar = new ProgressBar(new PrintStream(bytes, true, StandardCharsets.UTF_8), false, 10, 0);
        bar.update(1, 2.0, 100, false);
        bar.update(5, 1.5, 4100, true);
        bar.finish();
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(1, text.lines().count());
        assertTrue(text.startsWith("step 5/10 [##########..........] loss 1.5000 | 4,100 tok/s | ETA "), text);
    }

    @Test
    void durationsReadNaturally() {
        assertEquals("59s", ProgressBar.duration(59));
        assertEquals("1m05s", ProgressBar.duration(65));
        assertEquals("2h03m", ProgressBar.duration(7380));
    }
}
