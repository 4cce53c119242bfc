package org.vlm4j.engine;

import java.util.Locale;

/**
 * Decides whether the oneMKL vendor shim ({@code mkl_serv_intel_cpu_true() == 1}) should be loaded.
 *
 * <p>oneMKL inside libtorch_cpu.so picks AVX2 GEMM kernels on every non-Intel CPU; on AMD CPUs with
 * full-width AVX-512 (Zen 4/5) the shim lets it take the AVX-512 kernels, about twice the fp32 GEMM
 * throughput (see ENGINE-NOTES.md). The decision is a pure function of {@code /proc/cpuinfo} and the
 * user's setting, so it can be tested without a process per case.
 */
public final class ShimPolicy {

    /** System property that selects the shim setting. */
    public static final String PROPERTY = "vlm4j.mklShim";
    /** Environment variable that selects the shim setting (the system property wins). */
    public static final String ENV = "VLM4J_MKL_SHIM";

    /** The user's choice. */
    public enum Setting {
        /** Load the shim only on an AMD CPU with AVX-512 (the default). */
        AUTO,
        /** Always load the shim (where a shim binary exists for the platform). */
        ON,
        /** Never load the shim. */
        OFF;

        /**
         * Parses a setting; {@code null} or blank means {@link #AUTO}.
         *
         * @throws IllegalArgumentException on anything but auto, on, off (any case)
         */
        public static Setting parse(String value) {
            if (value == null || value.isBlank()) {
                return AUTO;
            }
            switch (value.trim().toLowerCase(Locale.ROOT)) {
                case "auto":
                    return AUTO;
                case "on":
                    return ON;
                case "off":
                    return OFF;
                default:
                    throw new IllegalArgumentException(
                            "Invalid oneMKL shim setting '" + value + "' (" + PROPERTY + " / " + ENV
                                    + "): use auto, on or off");
            }
        }

        /** The setting as the user writes it. */
        public String text() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * The outcome of {@link #decide}.
     *
     * @param apply  whether to load the shim
     * @param reason a short human-readable reason, used in logs and {@link EngineInfo}
     */
    public record Decision(boolean apply, String reason) {}

    private ShimPolicy() {}

    /**
     * Decides whether to load the shim.
     *
     * @param cpuInfoText the text of {@code /proc/cpuinfo} (only the first processor's block is read),
     *                    or {@code null} when it could not be read
     * @param setting     the user's setting
     */
    public static Decision decide(String cpuInfoText, Setting setting) {
        switch (setting) {
            case OFF:
                return new Decision(false, "disabled (" + PROPERTY + "=off)");
            case ON:
                return new Decision(true, "forced (" + PROPERTY + "=on)");
            default:
                break;
        }
        String vendor = vendor(cpuInfoText);
        if (vendor == null) {
            return new Decision(false, "CPU vendor unknown (no vendor_id in /proc/cpuinfo)");
        }
        if (!"AuthenticAMD".equals(vendor)) {
            return new Decision(false, "not needed on a " + vendor + " CPU");
        }
        if (!hasFlag(cpuInfoText, "avx512f")) {
            return new Decision(false, "AMD CPU without AVX-512");
        }
        return new Decision(true, "AMD CPU with AVX-512");
    }

    /** The {@code vendor_id} of the first processor, or {@code null}. */
    public static String vendor(String cpuInfoText) {
        String v = field(cpuInfoText, "vendor_id");
        return v == null || v.isEmpty() ? null : v;
    }

    /** Whether the first processor's {@code flags} line lists {@code flag}. */
    public static boolean hasFlag(String cpuInfoText, String flag) {
        String flags = field(cpuInfoText, "flags");
        if (flags == null) {
            return false;
        }
        for (String f : flags.split("\\s+")) {
            if (f.equals(flag)) {
                return true;
            }
        }
        return false;
    }

    /** The value of {@code key} in the first processor block of a cpuinfo text, or {@code null}. */
    static String field(String cpuInfoText, String key) {
        if (cpuInfoText == null) {
            return null;
        }
        boolean inBlock = false;
        for (String line : cpuInfoText.split("\n")) {
            if (line.isBlank()) {
                if (inBlock) {
                    break; // end of the first processor's block
                }
                continue;
            }
            inBlock = true;
            int colon = line.indexOf(':');
            if (colon >= 0 && line.substring(0, colon).trim().equals(key)) {
                return line.substring(colon + 1).trim();
            }
        }
        return null;
    }
}
