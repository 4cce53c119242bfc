package org.vlm4j.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The shim must be loaded before libtorch, once per process, so its on/off paths are checked in fresh JVMs
 * running {@link InitProbe} on this test classpath.
 */
class ShimForkTest {

    /** Whether auto should apply the shim here: an AMD CPU with AVX-512, and a build that had gcc. */
    static final boolean EXPECT_SHIM = ShimPolicy.decide(EngineEnv.readCpuInfo(), ShimPolicy.Setting.AUTO).apply()
            && shimBuilt();

    /** Whether the build compiled the shim into the classes (it skips it, with a warning, without gcc). */
    static boolean shimBuilt() {
        return EngineEnv.platform().equals("linux-x86_64")
                && ShimForkTest.class.getClassLoader().getResource(MklShim.resourcePath("linux-x86_64")) != null;
    }

    record Run(int exit, Map<String, String> probe, String output) {}

    static Run fork(String... properties) throws IOException, InterruptedException {
        return fork(List.of(), properties);
    }

    static Run fork(List<String> probeArgs, String... properties) throws IOException, InterruptedException {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx512m");
        cmd.add("-Dai.djl.offline=true");
        for (String p : properties) {
            cmd.add("-D" + p);
        }
        cmd.add("-cp");
        cmd.add(classpath);
        cmd.add(InitProbe.class.getName());
        cmd.addAll(probeArgs);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        // The settings under test come from -D only: drop the environment spellings so a developer's shell can't
        // change the outcome, and any LD_PRELOAD of a shim.
        pb.environment().remove(ShimPolicy.ENV);
        pb.environment().remove(MallocTuning.ENV);
        pb.environment().remove("LD_PRELOAD");
        Path log = Files.createTempFile("vlm4j-probe", ".log");
        pb.redirectOutput(log.toFile());
        try {
            Process process = pb.start();
            if (!process.waitFor(180, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                fail("InitProbe did not finish in 180 s:\n" + Files.readString(log, StandardCharsets.UTF_8));
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            Map<String, String> probe = new HashMap<>();
            for (String line : output.split("\n")) {
                if (line.startsWith("probe.")) {
                    int eq = line.indexOf('=');
                    probe.put(line.substring("probe.".length(), eq), line.substring(eq + 1));
                }
            }
            return new Run(process.exitValue(), probe, output);
        } finally {
            Files.deleteIfExists(log);
        }
    }

    @Test
    void autoMatchesTheCpu() throws Exception {
        Run run = fork("vlm4j.mklShim=auto");
        assertEquals(0, run.exit(), run.output());
        assertEquals("AUTO", run.probe().get("shimSetting"), run.output());
        assertEquals(Boolean.toString(EXPECT_SHIM), run.probe().get("shimApplied"), run.output());
        assertEquals(Boolean.toString(EXPECT_SHIM), run.probe().get("stillEffective"), run.output());
        assertTrue(run.output().contains("INFO org.vlm4j.engine.Vlm4jEngine - vlm4j engine: PyTorch"), run.output());
    }

    @Test
    void offIsNotApplied() throws Exception {
        Run run = fork("vlm4j.mklShim=off", "vlm4j.mallocTuning=off", "vlm4j.threads=1");
        assertEquals(0, run.exit(), run.output());
        assertEquals("OFF", run.probe().get("shimSetting"), run.output());
        assertEquals("false", run.probe().get("shimApplied"), run.output());
        assertEquals("false", run.probe().get("stillEffective"), run.output());
        assertTrue(run.probe().get("shimDetail").contains("off"), run.output());
        assertEquals("false", run.probe().get("mallocTuned"), run.output());
        assertEquals("1", run.probe().get("threads"), run.output());
    }

    @Test
    void djlBeforeInitIsReportedAsTooLate() throws Exception {
        Run run = fork(List.of("djl-first"), "vlm4j.mklShim=on");
        assertEquals(0, run.exit(), run.output());
        assertEquals("false", run.probe().get("shimApplied"), run.output());
        if (EngineEnv.platform().equals("linux-x86_64")) {
            assertTrue(run.probe().get("shimDetail").contains("too late"), run.output());
        }
    }

    @Test
    void invalidSettingFailsWithAClearMessage() throws Exception {
        Run run = fork("vlm4j.mklShim=yes-please");
        assertNotEquals(0, run.exit(), run.output());
        assertTrue(run.output().contains("Invalid oneMKL shim setting 'yes-please'"), run.output());
    }
}
