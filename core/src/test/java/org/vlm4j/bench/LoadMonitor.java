package org.vlm4j.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How much of the machine other processes used during a timed interval: the machine's busy CPU time
 * ({@code /proc/stat}) minus this process's own ({@code /proc/self/stat}, all threads, libtorch's included), over
 * cores x wall time. The benchmarks keep only the iterations that others left alone (other engineers share these
 * cores, and a disturbed iteration of a 2-thread run can take 4x as long). Linux only; elsewhere it reports 0.
 * Clock ticks are taken as 100 per second (Linux's USER_HZ on x86-64).
 */
final class LoadMonitor {
    static final double HZ = 100.0;
    private static final Path STAT = Path.of("/proc/stat");
    private static final Path SELF = Path.of("/proc/self/stat");
    private static final int CPUS = Runtime.getRuntime().availableProcessors();

    private long busy0;
    private long own0;
    private long t0;

    /** Starts an interval. */
    void start() {
        busy0 = busyTicks();
        own0 = ownTicks();
        t0 = System.nanoTime();
    }

    /** The share (0..1) of all cores that other processes used since {@link #start()}. */
    double foreign() {
        long busy = busyTicks() - busy0;
        long own = ownTicks() - own0;
        double wall = (System.nanoTime() - t0) / 1e9;
        if (busy0 < 0 || wall <= 0) {
            return 0;
        }
        return Math.max(0, (busy - own) / HZ / (wall * CPUS));
    }

    /** user + nice + system + irq + softirq + steal ticks of all CPUs, or -1. */
    static long busyTicks() {
        try {
            String line = Files.readAllLines(STAT, StandardCharsets.ISO_8859_1).get(0);
            String[] f = line.trim().split("\\s+");
            return Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[3]) + Long.parseLong(f[6])
                    + Long.parseLong(f[7]) + Long.parseLong(f[8]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** utime + stime of this process (all threads), or 0. */
    static long ownTicks() {
        try {
            String s = Files.readString(SELF, StandardCharsets.ISO_8859_1);
            String[] f = s.substring(s.lastIndexOf(')') + 2).trim().split("\\s+"); // fields from 3 (state) on
            return Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 and 15
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
