package org.vlm4j.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** The bootstrap in this (surefire) JVM. The shim on/off paths in fresh JVMs: {@link ShimForkTest}. */
class Vlm4jEngineTest {

    @Test
    void initIsIdempotentAndThreadSafe() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<EngineInfo>> futures = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                futures.add(pool.submit((Callable<EngineInfo>) Vlm4jEngine::init));
            }
            EngineInfo first = futures.get(0).get();
            for (Future<EngineInfo> f : futures) {
                assertSame(first, f.get());
            }
            assertSame(first, Vlm4jEngine.init());
            assertSame(first, Vlm4jEngine.info().orElseThrow());
            assertTrue(Vlm4jEngine.isInitialized());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void infoDescribesTheEngine() {
        EngineInfo info = Vlm4jEngine.init();
        assertEquals("PyTorch", info.engineName());
        assertTrue(info.engineVersion().startsWith("2.7.1"), info.engineVersion());
        assertEquals("0.36.0", info.djlVersion());
        assertTrue(info.offline(), "ai.djl.offline");
        assertTrue(info.threads() >= 1);
        assertEquals(Integer.getInteger("ai.djl.pytorch.num_threads").intValue(), info.threads());
        assertEquals(Integer.getInteger("ai.djl.pytorch.num_interop_threads").intValue(), info.interopThreads());
        assertNotNull(info.libtorchPath());
        assertTrue(Files.isDirectory(Path.of(info.libtorchPath())), info.libtorchPath());
        String summary = info.summary();
        assertTrue(summary.contains("PyTorch 2.7.1") && summary.contains("oneMKL shim"), summary);
    }

    @Test
    void shimStateIsConsistentWithTheCpu() {
        EngineInfo info = Vlm4jEngine.init();
        ShimPolicy.Setting setting = ShimPolicy.Setting.parse(EngineEnv.setting(ShimPolicy.PROPERTY, ShimPolicy.ENV));
        assertEquals(setting, info.shimSetting());
        ShimPolicy.Decision decision = ShimPolicy.decide(EngineEnv.readCpuInfo(), setting);
        boolean expected = decision.apply() && ShimForkTest.shimBuilt();
        // In this shared JVM the test-session listener ran init() before any test touched DJL; if something bypassed
        // it, the detail says "too late" and this assertion fails on purpose.
        assertEquals(expected, info.shimApplied(), info.shimDetail());
        if (info.shimApplied()) {
            assertTrue(MklShim.stillEffective());
            assertTrue(info.shimDetail().contains("RTLD_GLOBAL"), info.shimDetail());
        } else {
            assertFalse(info.shimDetail().isBlank());
            if (decision.apply()) { // wanted but the build had no gcc
                assertTrue(info.shimDetail().startsWith("unavailable"), info.shimDetail());
            }
        }
    }

    @Test
    void loadFailureMessageNamesTheJarAndTheCache() {
        String msg = Vlm4jEngine.loadFailureMessage(new UnsatisfiedLinkError("boom"));
        assertTrue(msg.contains("boom"), msg);
        assertTrue(msg.contains("ai.djl.pytorch:pytorch-native-cpu:2.7.1:linux-x86_64"), msg);
        assertTrue(msg.contains("pytorch-native-cpu-2.7.1-linux-x86_64.jar"), msg); // found on the test classpath
        assertTrue(msg.contains(".djl.ai"), msg);
    }

    @Test
    void invalidThreadCountIsRejected() {
        String old = System.getProperty(Vlm4jEngine.THREADS_PROPERTY);
        try {
            System.setProperty(Vlm4jEngine.THREADS_PROPERTY, "0");
            Vlm4jEngineException e = org.junit.jupiter.api.Assertions.assertThrows(
                    Vlm4jEngineException.class, () -> Vlm4jEngine.threads(null));
            assertTrue(e.getMessage().contains("VLM4J_THREADS"), e.getMessage());
            System.setProperty(Vlm4jEngine.THREADS_PROPERTY, "3");
            assertEquals(3, Vlm4jEngine.threads(null));
        } finally {
            if (old == null) {
                System.clearProperty(Vlm4jEngine.THREADS_PROPERTY);
            } else {
                System.setProperty(Vlm4jEngine.THREADS_PROPERTY, old);
            }
        }
    }
}
