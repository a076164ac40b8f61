package org.rlhf4j.core.training;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Training progress on stderr: step/total, loss, tokens/s and the time left. On a terminal one
 * line is redrawn in place (at most a few times a second); otherwise (a log file, CI) a plain line
 * is printed at each logged step only, so logs stay readable.
 */
public final class ProgressBar {

    private static final long REDRAW_NANOS = 200_000_000L;

    private final PrintStream out;
    private final boolean interactive;
    private final int total;
    private final int startStep;
    private final long startNanos;
    private long lastDraw;
    private boolean drawn;

    /**
     * @param total the run's last step
     * @param startStep the step this process starts from (the resumed step, else 0), so the ETA
     *     uses this process's speed
     * @param interactive redraw in place (a terminal) or print one line per logged step
     */
    public ProgressBar(PrintStream out, boolean interactive, int total, int startStep) {
        this.out = out;
        this.interactive = interactive;
        this.total = total;
        this.startStep = startStep;
        this.startNanos = System.nanoTime();
    }

    /** A bar on stderr, interactive when the process has a console. */
    public static ProgressBar onStderr(int total, int startStep) {
        return new ProgressBar(System.err, System.console() != null, total, startStep);
    }

    /** Reports step {@code step} (1-based, completed); {@code logged} marks the steps that write metrics. */
    public void update(int step, double loss, double tokensPerSecond, boolean logged) {
        long now = System.nanoTime();
        if (interactive) {
            if (now - lastDraw >= REDRAW_NANOS || step == total) {
                out.print("\r" + render(step, loss, tokensPerSecond, now) + "\u001b[K");
                out.flush();
                lastDraw = now;
                drawn = true;
            }
        } else if (logged) {
            out.println(render(step, loss, tokensPerSecond, now));
            out.flush();
        }
    }

    /** Prints a message on its own line without tearing the bar. */
    public void message(String text) {
        if (interactive && drawn) {
            out.print("\r\u001b[K");
            drawn = false;
        }
        out.println(text);
        out.flush();
    }

    /** Ends the bar's line. */
    public void finish() {
        if (interactive && drawn) {
            out.println();
            out.flush();
            drawn = false;
        }
    }

    /** The text of the bar, e.g. {@code step 40/200 [####......] loss 1.2345 | 4,100 tok/s | ETA 1m05s}. */
    String render(int step, double loss, double tokensPerSecond, long nowNanos) {
        int width = 20;
        int filled = total == 0 ? width : (int) ((long) width * step / total);
        String bar = "#".repeat(filled) + ".".repeat(width - filled);
        long done = step - startStep;
        String eta = "?";
        if (done > 0) {
            double secondsPerStep = (nowNanos - startNanos) / 1e9 / done;
            eta = duration(Math.round(secondsPerStep * (total - step)));
        }
        return String.format(Locale.ROOT, "step %d/%d [%s] loss %.4f | %,.0f tok/s | ETA %s",
                step, total, bar, loss, tokensPerSecond, eta);
    }

    static String duration(long seconds) {
        if (seconds >= 3600) {
            return String.format(Locale.ROOT, "%dh%02dm", seconds / 3600, seconds % 3600 / 60);
        }
        return seconds >= 60 ? String.format(Locale.ROOT, "%dm%02ds", seconds / 60, seconds % 60) : seconds + "s";
    }
}
