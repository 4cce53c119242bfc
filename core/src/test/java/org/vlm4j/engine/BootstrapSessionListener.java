package org.vlm4j.engine;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Runs {@link Vlm4jEngine#init()} when a test JVM's JUnit session opens, before any test class can touch DJL, so
 * every test runs on the tuned engine (oneMKL shim, malloc thresholds) whatever the test order. Registered in
 * {@code META-INF/services/org.junit.platform.launcher.LauncherSessionListener}. A failure is only reported here:
 * the tests that need the engine fail on their own {@code init()} with the full message, the others still run.
 */
public final class BootstrapSessionListener implements LauncherSessionListener {

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        try {
            Vlm4jEngine.init();
        } catch (RuntimeException | LinkageError e) {
            System.err.println("[vlm4j] Vlm4jEngine.init() failed at test session start: " + e);
        }
    }
}
