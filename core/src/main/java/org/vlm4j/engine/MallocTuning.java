package org.vlm4j.engine;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import java.util.Locale;

/**
 * glibc malloc thresholds for a process that churns large tensor buffers.
 *
 * <p>With glibc's defaults every large tensor is a fresh {@code mmap} and every free a {@code munmap}, so the
 * JVM took 35k-92k minor page faults per training step. Raising the mmap threshold to 32 MiB, never trimming
 * the heap top and padding it by 256 MiB brings that to a few hundred and made a step 8-12% faster, with no
 * change in peak memory (ENGINE-NOTES.md). Applied through {@code mallopt(3)} over JNA, glibc only.
 */
public final class MallocTuning {

    /** System property: {@code on} (default) or {@code off}. */
    public static final String PROPERTY = "vlm4j.mallocTuning";
    /** Environment variable: {@code on} (default) or {@code off}; the system property wins. */
    public static final String ENV = "VLM4J_MALLOC_TUNING";

    /** glibc {@code M_TRIM_THRESHOLD}. */
    static final int M_TRIM_THRESHOLD = -1;
    /** glibc {@code M_TOP_PAD}. */
    static final int M_TOP_PAD = -2;
    /** glibc {@code M_MMAP_THRESHOLD}. */
    static final int M_MMAP_THRESHOLD = -3;

    /** Allocations at or above this size go to mmap: 32 MiB (glibc's cap is 32 MiB on 64-bit). */
    public static final int MMAP_THRESHOLD = 32 << 20;
    /** Never give the top of the heap back. */
    public static final int TRIM_THRESHOLD = Integer.MAX_VALUE;
    /** Grow the heap by this much beyond each request: 256 MiB. */
    public static final int TOP_PAD = 256 << 20;

    /**
     * What {@link #apply} did.
     *
     * @param applied whether all three thresholds were set
     * @param detail  e.g. "glibc 2.36: mmap 32 MiB, trim max, top pad 256 MiB" or why not
     */
    public record Result(boolean applied, String detail) {}

    private MallocTuning() {}

    /**
     * Parses the on/off setting; {@code null} or blank means on.
     *
     * @throws IllegalArgumentException on anything but on/off
     */
    public static boolean parseEnabled(String value) {
        if (value == null || value.isBlank()) {
            return true;
        }
        switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "on":
                return true;
            case "off":
                return false;
            default:
                throw new IllegalArgumentException(
                        "Invalid malloc tuning setting '" + value + "' (" + PROPERTY + " / " + ENV + "): use on or off");
        }
    }

    /**
     * Sets the thresholds when {@code enabled} and the C library is glibc. Never throws: a failure is
     * reported in the result.
     */
    public static Result apply(boolean enabled) {
        if (!enabled) {
            return new Result(false, "disabled (" + PROPERTY + "=off)");
        }
        if (!"linux".equals(EngineEnv.osName())) {
            return new Result(false, "not Linux");
        }
        try {
            NativeLibrary libc = NativeLibrary.getInstance("c");
            String glibc;
            try {
                glibc = libc.getFunction("gnu_get_libc_version").invokeString(new Object[0], false);
            } catch (UnsatisfiedLinkError e) {
                return new Result(false, "C library is not glibc");
            }
            Function mallopt = libc.getFunction("mallopt");
            boolean ok = mallopt.invokeInt(new Object[] {M_MMAP_THRESHOLD, MMAP_THRESHOLD}) == 1;
            ok &= mallopt.invokeInt(new Object[] {M_TRIM_THRESHOLD, TRIM_THRESHOLD}) == 1;
            ok &= mallopt.invokeInt(new Object[] {M_TOP_PAD, TOP_PAD}) == 1;
            if (!ok) {
                return new Result(false, "glibc " + glibc + ": mallopt refused a threshold");
            }
            return new Result(true, "glibc " + glibc + ": mmap threshold 32 MiB, trim threshold max, top pad 256 MiB");
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            return new Result(false, "JNA unavailable: " + e.getMessage());
        }
    }
}
