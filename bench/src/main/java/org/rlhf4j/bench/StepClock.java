package org.rlhf4j.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Process CPU time and machine load at the end of each training step, taken by a daemon thread
 * that watches a run's {@code metrics.jsonl} grow by one line per step (the trainers log every
 * step with {@code train.log_every: 1} and flush each line). On a shared machine the wall time of
 * a step depends on the neighbours; the CPU time this process spent on it much less so. It also
 * samples the anonymous resident memory at each poll.
 */
final class StepClock implements AutoCloseable {

    /** One step's end: process CPU seconds so far, the 1-minute load average, others' CPU snapshot. */
    record Mark(double cpuSeconds, double loadAverage, CpuShare share) {}

    private static final long POLL_MILLIS = 20;

    private final Path metrics;
    private final List<Mark> marks = new ArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long peakAnonymousBytes;

    private StepClock(Path metrics) {
        this.metrics = metrics;
        this.thread = new Thread(this::watch, "step-clock");
        thread.setDaemon(true);
    }

    /** Starts watching {@code metrics} (which may not exist yet). */
    static StepClock watch(Path metrics) {
        StepClock clock = new StepClock(metrics);
        clock.thread.start();
        return clock;
    }

    private void watch() {
        long seenBytes = 0;
        int seenLines = 0;
        while (running) {
            try {
                peakAnonymousBytes = Math.max(peakAnonymousBytes, anonymousBytes());
                long size = Files.exists(metrics) ? Files.size(metrics) : 0;
                if (size != seenBytes) {
                    seenBytes = size;
                    int lines = (int) Files.readAllLines(metrics).stream().filter(l -> !l.isBlank()).count();
                    for (; seenLines < lines; seenLines++) {
                        Mark mark = new Mark(cpuSeconds(), Machine.currentLoadAverage(), CpuShare.start());
                        synchronized (marks) {
                            marks.add(mark);
                        }
                    }
                }
                Thread.sleep(POLL_MILLIS);
            } catch (IOException e) {
                // a line being written: read it on the next poll
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** The marks so far, one per logged step in order. */
    List<Mark> marks() {
        synchronized (marks) {
            return List.copyOf(marks);
        }
    }

    /**
     * The highest anonymous resident memory seen ({@code RssAnon}, sampled every poll): VmHWM without
     * file pages such as a memory-mapped checkpoint's, which a GC unmaps and the kernel may reclaim.
     */
    long peakAnonymousBytes() {
        return peakAnonymousBytes;
    }

    private static long anonymousBytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("RssAnon:")) {
                return Long.parseLong(line.substring(8).trim().split("\\s+")[0]) * 1024;
            }
        }
        return 0;
    }

    private static double cpuSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime() / 1e9;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join();
    }
}
