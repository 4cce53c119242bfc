package org.vlm4j.engine;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.pytorch.jni.LibUtils;
import ai.djl.util.Utils;
import java.net.URL;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one engine bootstrap every vlm4j entry point (CLI, server, tests, benchmarks) goes through, before any
 * other DJL call.
 *
 * <p>{@link #init()} does, once per process and in this order, before DJL touches libtorch:
 * <ol>
 *   <li>sets {@code ai.djl.offline=true}, {@code ai.djl.pytorch.num_threads} (physical cores, or
 *       {@code vlm4j.threads} / {@code VLM4J_THREADS}) and {@code ai.djl.pytorch.num_interop_threads=1}, each
 *       unless the user set it;</li>
 *   <li>loads the oneMKL vendor shim into the global symbol scope on AMD CPUs with AVX-512
 *       ({@code vlm4j.mklShim} / {@code VLM4J_MKL_SHIM} = auto | on | off), see {@link ShimPolicy};</li>
 *   <li>sets the glibc malloc thresholds ({@code vlm4j.mallocTuning} / {@code VLM4J_MALLOC_TUNING} = on | off),
 *       see {@link MallocTuning};</li>
 *   <li>loads the PyTorch engine and logs one INFO line with what was applied.</li>
 * </ol>
 * System properties win over environment variables.
 */
public final class Vlm4jEngine {

    /** Intra-op thread count (system property); default: physical cores. */
    public static final String THREADS_PROPERTY = "vlm4j.threads";
    /** Intra-op thread count (environment). */
    public static final String THREADS_ENV = "VLM4J_THREADS";

    static final String ENGINE = "PyTorch";
    static final String NATIVE_ARTIFACT = "ai.djl.pytorch:pytorch-native-cpu:2.7.1:linux-x86_64";

    private static final Logger LOG = LoggerFactory.getLogger(Vlm4jEngine.class);
    private static final Object LOCK = new Object();
    private static volatile EngineInfo info;
    private static Vlm4jEngineException failure;

    private Vlm4jEngine() {}

    /**
     * Applies the process-level tuning and loads the PyTorch engine; later calls return the same info at once.
     * Thread-safe.
     *
     * @throws Vlm4jEngineException if a setting is invalid or the engine cannot be loaded (a load failure is
     *                              final for the process: later calls throw it again)
     */
    public static EngineInfo init() {
        EngineInfo current = info;
        if (current != null) {
            return current;
        }
        synchronized (LOCK) {
            if (info != null) {
                return info;
            }
            if (failure != null) {
                throw new Vlm4jEngineException(failure.getMessage(), failure);
            }
            info = doInit();
            return info;
        }
    }

    /** The info of a completed {@link #init()}, without starting anything. */
    public static Optional<EngineInfo> info() {
        return Optional.ofNullable(info);
    }

    /** Whether {@link #init()} has completed. */
    public static boolean isInitialized() {
        return info != null;
    }

    private static EngineInfo doInit() {
        long start = System.nanoTime();
        // Settings first: a typo fails before anything is changed in the process.
        ShimPolicy.Setting shimSetting;
        boolean mallocEnabled;
        try {
            shimSetting = ShimPolicy.Setting.parse(EngineEnv.setting(ShimPolicy.PROPERTY, ShimPolicy.ENV));
            mallocEnabled = MallocTuning.parseEnabled(EngineEnv.setting(MallocTuning.PROPERTY, MallocTuning.ENV));
        } catch (IllegalArgumentException e) {
            throw new Vlm4jEngineException(e.getMessage(), e);
        }
        String cpuInfo = EngineEnv.readCpuInfo();
        int threads = threads(cpuInfo);

        setIfAbsent("ai.djl.offline", "true");
        setIfAbsent("ai.djl.pytorch.num_threads", Integer.toString(threads));
        setIfAbsent("ai.djl.pytorch.num_interop_threads", "1");

        ShimPolicy.Decision decision = ShimPolicy.decide(cpuInfo, shimSetting);
        MklShim.Result shim = decision.apply()
                ? MklShim.load()
                : new MklShim.Result(false, decision.reason(), null);
        String shimDetail = shim.applied() ? decision.reason() + "; " + shim.detail() : shim.detail();
        if (decision.apply() && !shim.applied()) {
            LOG.warn("oneMKL shim wanted ({}) but not applied: {}", decision.reason(), shim.detail());
        }

        MallocTuning.Result malloc = MallocTuning.apply(mallocEnabled);

        Engine engine = loadEngine();
        boolean shimApplied = shim.applied() && MklShim.stillEffective();
        if (shim.applied() && !shimApplied) {
            shimDetail = "loaded, but after loading libtorch the global scope no longer resolves " + MklShim.SYMBOL
                    + " to it (" + shim.detail() + ")";
            LOG.warn("oneMKL shim: {}", shimDetail);
        }

        EngineInfo result = new EngineInfo(
                engine.getEngineName(),
                engine.getVersion(),
                Engine.getDjlVersion(),
                libtorchPath(),
                JniUtils.getNumThreads(),
                JniUtils.getNumInteropThreads(),
                Boolean.parseBoolean(System.getProperty("ai.djl.offline")),
                shimSetting,
                shimApplied,
                shimDetail,
                malloc.applied(),
                malloc.detail(),
                (System.nanoTime() - start) / 1_000_000);
        LOG.info("vlm4j engine: {}", result.summary());
        return result;
    }

    /** vlm4j.threads / VLM4J_THREADS, else physical cores. */
    static int threads(String cpuInfo) {
        String value = EngineEnv.setting(THREADS_PROPERTY, THREADS_ENV);
        if (value == null) {
            return EngineEnv.physicalCores(cpuInfo);
        }
        try {
            int n = Integer.parseInt(value);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new Vlm4jEngineException(
                "Invalid thread count '" + value + "' (" + THREADS_PROPERTY + " / " + THREADS_ENV + "): use a positive integer");
    }

    private static void setIfAbsent(String key, String value) {
        String current = System.getProperty(key);
        if (current == null || current.isBlank()) {
            System.setProperty(key, value);
        }
    }

    private static Engine loadEngine() {
        try {
            Engine engine = Engine.getEngine(ENGINE);
            if (engine == null) {
                throw new IllegalStateException("Engine.getEngine returned null");
            }
            return engine;
        } catch (RuntimeException | LinkageError e) {
            failure = new Vlm4jEngineException(loadFailureMessage(e), e);
            throw failure;
        }
    }

    static String loadFailureMessage(Throwable e) {
        ClassLoader cl = Vlm4jEngine.class.getClassLoader();
        URL nativeJar = cl.getResource("native/lib/pytorch.properties");
        URL jniJar = cl.getResource("jnilib/pytorch.properties");
        String cacheDir;
        try {
            cacheDir = Utils.getEngineCacheDir("pytorch").toString();
        } catch (RuntimeException | LinkageError ex) {
            cacheDir = "~/.djl.ai/pytorch";
        }
        return "Could not load the DJL PyTorch engine: " + e
                + ". The libtorch native library comes from " + NATIVE_ARTIFACT + " ("
                + (nativeJar == null ? "NOT on the classpath" : "found: " + jarOf(nativeJar)) + "), the JNI glue from"
                + " ai.djl.pytorch:pytorch-jni (" + (jniJar == null ? "NOT on the classpath" : "found: " + jarOf(jniJar))
                + "); DJL extracts them to " + cacheDir + " (must be writable, with room for ~450 MB) and, with"
                + " ai.djl.offline=" + System.getProperty("ai.djl.offline") + ", downloads nothing. Put both jars on"
                + " the classpath, or set PYTORCH_LIBRARY_PATH to an unpacked libtorch 2.7.1.";
    }

    private static String jarOf(URL url) {
        String s = url.toString();
        int bang = s.indexOf("!/");
        return bang > 0 ? s.substring(0, bang) : s;
    }

    private static String libtorchPath() {
        try {
            return LibUtils.getLibtorchPath();
        } catch (RuntimeException | LinkageError e) {
            String mapped = LibtorchProbe.mappedPath("libtorch_cpu.so");
            return mapped == null ? null : mapped.substring(0, mapped.lastIndexOf('/'));
        }
    }
}
