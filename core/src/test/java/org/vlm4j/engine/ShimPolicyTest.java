package org.vlm4j.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.vlm4j.engine.ShimPolicy.Decision;
import org.vlm4j.engine.ShimPolicy.Setting;

/** The shim decision as a pure function of /proc/cpuinfo and the setting. */
class ShimPolicyTest {

    static String cpu(String vendor, String flags) {
        return "processor\t: 0\nvendor_id\t: " + vendor + "\ncpu family\t: 25\nmodel name\t: Some CPU\n"
                + "flags\t\t: " + flags + "\n\n";
    }

    static final String ZEN4 = cpu("AuthenticAMD", "fpu sse2 avx avx2 fma avx512f avx512dq avx512bw avx512vl");
    static final String ZEN3 = cpu("AuthenticAMD", "fpu sse2 avx avx2 fma");
    static final String INTEL = cpu("GenuineIntel", "fpu sse2 avx avx2 fma avx512f");

    @Test
    void autoAppliesOnlyOnAmdWithAvx512() {
        Decision zen4 = ShimPolicy.decide(ZEN4, Setting.AUTO);
        assertTrue(zen4.apply(), zen4.reason());
        assertEquals("AMD CPU with AVX-512", zen4.reason());
        assertFalse(ShimPolicy.decide(ZEN3, Setting.AUTO).apply());
        assertFalse(ShimPolicy.decide(INTEL, Setting.AUTO).apply());
        assertTrue(ShimPolicy.decide(INTEL, Setting.AUTO).reason().contains("GenuineIntel"));
    }

    @Test
    void unknownCpuIsNotShimmed() {
        assertFalse(ShimPolicy.decide(null, Setting.AUTO).apply());
        assertFalse(ShimPolicy.decide("", Setting.AUTO).apply());
        assertFalse(ShimPolicy.decide("processor : 0\nflags : avx512f\n", Setting.AUTO).apply());
    }

    @Test
    void offAndOnOverrideTheCpu() {
        for (String cpu : new String[] {ZEN4, ZEN3, INTEL, null}) {
            assertFalse(ShimPolicy.decide(cpu, Setting.OFF).apply());
            assertTrue(ShimPolicy.decide(cpu, Setting.ON).apply());
        }
        assertTrue(ShimPolicy.decide(ZEN4, Setting.OFF).reason().contains("off"));
    }

    @Test
    void flagsAreWholeWordsOfTheFirstProcessor() {
        assertFalse(ShimPolicy.hasFlag(cpu("AuthenticAMD", "avx512fx avx2"), "avx512f"));
        // only the first processor block counts
        String twoBlocks = cpu("AuthenticAMD", "avx2") + cpu("AuthenticAMD", "avx2 avx512f");
        assertFalse(ShimPolicy.decide(twoBlocks, Setting.AUTO).apply());
        assertEquals("AuthenticAMD", ShimPolicy.vendor("\n\n" + ZEN4));
        assertNull(ShimPolicy.vendor("processor : 0\n"));
    }

    @Test
    void realCpuInfoParses() {
        String text = EngineEnv.readCpuInfo();
        if (text != null) { // Linux
            Decision d = ShimPolicy.decide(text, Setting.AUTO);
            boolean amdAvx512 = "AuthenticAMD".equals(ShimPolicy.vendor(text)) && ShimPolicy.hasFlag(text, "avx512f");
            assertEquals(amdAvx512, d.apply(), d.reason());
        }
    }

    @Test
    void settingParses() {
        assertEquals(Setting.AUTO, Setting.parse(null));
        assertEquals(Setting.AUTO, Setting.parse("  "));
        assertEquals(Setting.AUTO, Setting.parse("Auto"));
        assertEquals(Setting.ON, Setting.parse("ON"));
        assertEquals(Setting.OFF, Setting.parse(" off "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Setting.parse("of"));
        assertTrue(e.getMessage().contains("vlm4j.mklShim"), e.getMessage());
    }

    @Test
    void physicalCoresCountsCoresNotHardwareThreads() {
        int available = Runtime.getRuntime().availableProcessors();
        String smt = "processor : 0\nphysical id : 0\ncore id : 0\n\n"
                + "processor : 1\nphysical id : 0\ncore id : 0\n\n"
                + "processor : 2\nphysical id : 0\ncore id : 1\n\n"
                + "processor : 3\nphysical id : 0\ncore id : 1\n";
        assertEquals(Math.max(1, available / 2), EngineEnv.physicalCores(smt));
        String noSmt = "processor : 0\nphysical id : 0\ncore id : 0\n\nprocessor : 1\nphysical id : 0\ncore id : 1\n\n";
        assertEquals(available, EngineEnv.physicalCores(noSmt));
        assertEquals(available, EngineEnv.physicalCores(null));
        assertEquals(available, EngineEnv.physicalCores("garbage"));
    }
}
