package org.rlhf4j.core.training;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Progress on stderr: step/total, the stage's figures (the loss, or PPO's score and KL), the rate
 * and the time left. On a terminal one line is redrawn in place (at most a few times a second);
 * otherwise (a log file, CI) a plain line is printed at each logged step only, so logs stay
 * readable. A {@link #phase} (the DPO reference pass, ...) shows nothing unless it lasts more than
 * a few seconds, then prints a plain line every {@value #PHASE_PRINT_SECONDS} s.
 */
public final class ProgressBar {

    private static final long REDRAW_NANOS = 200_000_000L;
    /** A phase shorter than this draws nothing: a bar that flashes by is noise. */
    private static final long PHASE_QUIET_NANOS = 3_000_000_000L;
    static final int PHASE_PRINT_SECONDS = 10;

    private final PrintStream out;
    private final boolean interactive;
    private final String label;
    private final String rateUnit;
    private final int total;
    private final int startStep;
    private final long startNanos;
    private final long quietNanos;
    private long lastDraw;
    private long lastPlain;
    private boolean drawn;
    private boolean plainPrinted;
    private double windowLossSum;
    private int windowSteps;

    /**
     * A training bar, {@code step 40/200 [####......] loss 1.2345 | 4,100 tok/s | ETA 1m05s}.
     *
     * @param total the run's last step
     * @param startStep the step this process starts from (the resumed step, else 0), so the ETA
     *     uses this process's speed
     * @param interactive redraw in place (a terminal) or print one line per logged step
     */
    public ProgressBar(PrintStream out, boolean interactive, int total, int startStep) {
        this(out, interactive, "step", "tok/s", total, startStep);
    }

    /** A bar counting {@code label}s ({@code iteration}) with its rate in {@code rateUnit} ({@code tok/s}). */
    public ProgressBar(PrintStream out, boolean interactive, String label, String rateUnit, int total, int startStep) {
        this(out, interactive, label, rateUnit, total, startStep, PHASE_QUIET_NANOS);
    }

    ProgressBar(PrintStream out, boolean interactive, String label, String rateUnit, int total, int startStep,
            long quietNanos) {
        this.quietNanos = quietNanos;
        this.out = out;
        this.interactive = interactive;
        this.label = label;
        this.rateUnit = rateUnit;
        this.total = total;
        this.startStep = startStep;
        this.startNanos = System.nanoTime();
        this.lastPlain = startNanos;
    }

    /** A training bar on stderr, interactive when the process has a console. */
    public static ProgressBar onStderr(int total, int startStep) {
        return new ProgressBar(System.err, System.console() != null, total, startStep);
    }

    /** A bar of {@code label}s on stderr, interactive when the process has a console. */
    public static ProgressBar onStderr(String label, String rateUnit, int total, int startStep) {
        return new ProgressBar(System.err, System.console() != null, label, rateUnit, total, startStep);
    }

    /**
     * Reports training step {@code step} (1-based, completed) and its loss; {@code logged} marks the
     * steps that write metrics. The loss shown is the mean since the last logged step, the figure
     * that step's metrics line and the run's summary carry under {@code loss}.
     */
    public void update(int step, double loss, double tokensPerSecond, boolean logged) {
        windowLossSum += loss;
        windowSteps++;
        String figures = String.format(Locale.ROOT, "loss %.4f", windowLossSum / windowSteps);
        if (logged) {
            windowLossSum = 0;
            windowSteps = 0;
        }
        update(step, figures, tokensPerSecond, logged);
    }

    /** Reports step {@code step} with {@code figures} as they should read ({@code score 0.53 | kl 0.08}). */
    public void update(int step, String figures, double rate, boolean logged) {
        long now = System.nanoTime();
        if (interactive) {
            if (now - lastDraw >= REDRAW_NANOS || step == total) {
                out.print("\r" + render(step, figures, rate, now) + "\u001b[K");
                out.flush();
                lastDraw = now;
                drawn = true;
            }
        } else if (logged) {
            out.println(render(step, figures, rate, now));
            out.flush();
            lastPlain = now;
            plainPrinted = true;
        }
    }

    /**
     * Reports {@code done} of a phase's {@code total} items: nothing in its first seconds; then
     * redrawn on a terminal, or a plain line every {@value #PHASE_PRINT_SECONDS} s and at the end.
     */
    public void advance(int done) {
        long now = System.nanoTime();
        if (now - startNanos < quietNanos) {
            return;
        }
        double rate = (done - startStep) / Math.max(1e-9, (now - startNanos) / 1e9);
        boolean due = !plainPrinted || done == total || now - lastPlain >= PHASE_PRINT_SECONDS * 1_000_000_000L;
        update(done, "", rate, due);
    }

    /** A phase bar on stderr for {@code total} items, e.g. {@code reference log-probs 320/1077}. */
    public static ProgressBar phase(String label, String rateUnit, int total) {
        return onStderr(label, rateUnit, total, 0);
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
    String render(int step, String figures, double rate, long nowNanos) {
        int width = 20;
        int filled = total == 0 ? width : (int) ((long) width * step / total);
        String bar = "#".repeat(filled) + ".".repeat(width - filled);
        long done = step - startStep;
        String eta = "?";
        if (done > 0) {
            double secondsPerStep = (nowNanos - startNanos) / 1e9 / done;
            eta = duration(Math.round(secondsPerStep * (total - step)));
        }
        return String.format(Locale.ROOT, "%s %d/%d [%s]%s | %,.0f %s | ETA %s", label, step, total, bar,
                figures.isEmpty() ? "" : " " + figures, rate, rateUnit, eta);
    }

    static String duration(long seconds) {
        if (seconds >= 3600) {
            return String.format(Locale.ROOT, "%dh%02dm", seconds / 3600, seconds % 3600 / 60);
        }
        return seconds >= 60 ? String.format(Locale.ROOT, "%dm%02ds", seconds / 60, seconds % 60) : seconds + "s";
    }
}
