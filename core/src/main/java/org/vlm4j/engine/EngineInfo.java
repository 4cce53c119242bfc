package org.vlm4j.engine;

/**
 * What {@link Vlm4jEngine#init()} set up; for logs, benchmarks and {@code vlm4j --version}.
 *
 * @param engineName     the DJL engine, "PyTorch"
 * @param engineVersion  the libtorch version DJL reports, e.g. "2.7.1"
 * @param djlVersion     e.g. "0.36.0"
 * @param libtorchPath   the folder DJL loaded libtorch from (its extraction cache, e.g.
 *                       {@code ~/.djl.ai/pytorch/2.7.1-cpu-linux-x86_64}), or null if DJL does not say
 * @param threads        intra-op threads libtorch uses
 * @param interopThreads inter-op threads libtorch uses
 * @param offline        whether {@code ai.djl.offline} is true (DJL downloads nothing)
 * @param shimSetting    the oneMKL shim setting in force (auto, on, off)
 * @param shimApplied    whether the oneMKL vendor shim is in the global scope ahead of libtorch
 * @param shimDetail     how it was loaded, or why not
 * @param mallocTuned    whether the glibc malloc thresholds were set
 * @param mallocDetail   what was set, or why not
 * @param initMillis     wall time of {@code init()} (dominated by DJL extracting and loading libtorch)
 */
public record EngineInfo(
        String engineName,
        String engineVersion,
        String djlVersion,
        String libtorchPath,
        int threads,
        int interopThreads,
        boolean offline,
        ShimPolicy.Setting shimSetting,
        boolean shimApplied,
        String shimDetail,
        boolean mallocTuned,
        String mallocDetail,
        long initMillis) {

    /** One line: engine, threads, shim, malloc. */
    public String summary() {
        return engineName + " " + engineVersion + " (DJL " + djlVersion + "), threads " + threads + " (interop "
                + interopThreads + "), oneMKL shim " + (shimApplied ? "applied" : "not applied") + " [" + shimSetting.text()
                + ": " + shimDetail + "], malloc " + (mallocTuned ? "tuned" : "not tuned") + " [" + mallocDetail + "]"
                + (offline ? ", offline" : "") + ", init " + initMillis + " ms";
    }
}
