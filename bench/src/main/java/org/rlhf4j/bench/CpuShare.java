package org.rlhf4j.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How much of the machine's CPU went to something other than this process over an interval, from
 * the kernel's counters: busy time of all CPUs (/proc/stat) minus this process's own
 * (/proc/self/stat), and the time the hypervisor gave to other guests (steal). The load average
 * cannot tell this: it counts this process too and lags by a minute.
 *
 * <p>It sees only what this kernel sees: other virtual machines on the same host that share
 * physical cores, caches or memory bandwidth without being scheduled against this guest slow
 * the benchmark down invisibly. Use {@link #start()} before the interval and
 * {@link #othersSince} after it.
 */
public final class CpuShare {

    /** Linux's USER_HZ, the unit of both files; 100 on every mainstream architecture. */
    private static final double TICKS_PER_SECOND = 100.0;

    private final long wallNanos;
    private final long[] machineBusyAndSteal;
    private final long selfTicks;

    private CpuShare(long wallNanos, long[] machineBusyAndSteal, long selfTicks) {
        this.wallNanos = wallNanos;
        this.machineBusyAndSteal = machineBusyAndSteal;
        this.selfTicks = selfTicks;
    }

    /** A snapshot of the counters now. */
    public static CpuShare start() {
        return new CpuShare(System.nanoTime(), machineTicks(), selfTicks());
    }

    /**
     * Cores' worth of CPU used since {@code this} snapshot by other processes on this machine
     * ({@code others}) and taken by the hypervisor ({@code steal}); NaN where /proc is missing.
     */
    public Interval othersSince() {
        return othersSinceThen(start());
    }

    /** As {@link #othersSince()}, over the interval from {@code this} snapshot to a {@code later} one. */
    public Interval othersSinceThen(CpuShare later) {
        CpuShare now = later;
        double seconds = (now.wallNanos - wallNanos) / 1e9;
        if (machineBusyAndSteal == null || now.machineBusyAndSteal == null || selfTicks < 0 || seconds <= 0) {
            return new Interval(Double.NaN, Double.NaN);
        }
        long busy = now.machineBusyAndSteal[0] - machineBusyAndSteal[0];
        long steal = now.machineBusyAndSteal[1] - machineBusyAndSteal[1];
        long self = now.selfTicks - selfTicks;
        double others = Math.max(0, busy - self) / TICKS_PER_SECOND / seconds;
        return new Interval(others, steal / TICKS_PER_SECOND / seconds);
    }

    /**
     * Average CPU use of others over an interval, in cores (1.0 = one core fully busy).
     *
     * @param others other processes of this machine
     * @param steal time the hypervisor ran other guests while this one wanted the CPU
     */
    public record Interval(double others, double steal) {}

    // "cpu  user nice system idle iowait irq softirq steal guest guest_nice" (guest is inside user)
    private static long[] machineTicks() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long busy = Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[3])
                    + Long.parseLong(f[6]) + Long.parseLong(f[7]);
            return new long[] {busy, Long.parseLong(f[8])};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    // Fields 14 and 15 (utime, stime) of /proc/self/stat, counted after the ")" that ends the
    // command name, which may itself contain spaces.
    private static long selfTicks() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
