package org.vlm4j.engine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/** Reads settings (system property first, then environment) and facts about the machine. */
final class EngineEnv {

    static final Path CPUINFO = Path.of("/proc/cpuinfo");

    private EngineEnv() {}

    /** The system property {@code property} if set, else the environment variable {@code env}, else null. */
    static String setting(String property, String env) {
        String v = System.getProperty(property);
        if (v != null && !v.isBlank()) {
            return v.trim();
        }
        v = System.getenv(env);
        return v == null || v.isBlank() ? null : v.trim();
    }

    /** "linux", "mac", "windows" or the raw lower-case os.name. */
    static String osName() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (os.startsWith("linux")) {
            return "linux";
        }
        if (os.startsWith("mac")) {
            return "mac";
        }
        if (os.startsWith("windows")) {
            return "windows";
        }
        return os;
    }

    /** "x86_64", "aarch64" or the raw os.arch. */
    static String arch() {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        return arch.equals("amd64") || arch.equals("x86_64") ? "x86_64" : arch;
    }

    /** The platform folder used for our native resources, e.g. {@code linux-x86_64}. */
    static String platform() {
        return osName() + "-" + arch();
    }

    /** The text of /proc/cpuinfo, or null where there is none. */
    static String readCpuInfo() {
        try {
            return Files.readString(CPUINFO, StandardCharsets.ISO_8859_1);
        } catch (IOException | SecurityException e) {
            return null;
        }
    }

    /**
     * Physical cores this JVM may use: the number of distinct (physical id, core id) pairs in cpuinfo, capped by
     * {@link Runtime#availableProcessors()} (which honours affinity and container quotas). Without cpuinfo
     * topology it is {@code availableProcessors()}.
     */
    static int physicalCores(String cpuInfoText) {
        int available = Runtime.getRuntime().availableProcessors();
        if (cpuInfoText == null) {
            return available;
        }
        Set<String> cores = new HashSet<>();
        int logical = 0;
        String physicalId = "0";
        String coreId = null;
        for (String line : (cpuInfoText + "\n\n").split("\n", -1)) {
            if (line.isBlank()) {
                if (coreId != null) {
                    cores.add(physicalId + "/" + coreId);
                }
                physicalId = "0";
                coreId = null;
                continue;
            }
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String key = line.substring(0, colon).trim();
            String value = line.substring(colon + 1).trim();
            if (key.equals("processor")) {
                logical++;
            } else if (key.equals("physical id")) {
                physicalId = value;
            } else if (key.equals("core id")) {
                coreId = value;
            }
        }
        if (cores.isEmpty() || logical == 0) {
            return available;
        }
        // With SMT, availableProcessors counts hardware threads: scale it by cores per thread.
        int smtScaled = Math.max(1, (int) ((long) available * cores.size() / logical));
        return Math.min(available, smtScaled);
    }
}
