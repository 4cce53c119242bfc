package org.vlm4j.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.NativeLibrary;
import org.junit.jupiter.api.Test;

class MallocTuningTest {

    static boolean isGlibc() {
        if (!"linux".equals(EngineEnv.osName())) {
            return false;
        }
        try {
            NativeLibrary.getInstance("c").getFunction("gnu_get_libc_version");
            return true;
        } catch (UnsatisfiedLinkError e) {
            return false;
        }
    }

    @Test
    void engineReportsMallocTunedOnGlibc() {
        assumeTrue(isGlibc(), "not glibc");
        EngineInfo info = Vlm4jEngine.init();
        boolean wanted = MallocTuning.parseEnabled(EngineEnv.setting(MallocTuning.PROPERTY, MallocTuning.ENV));
        assertEquals(wanted, info.mallocTuned(), info.mallocDetail());
        if (wanted) {
            assertTrue(info.mallocDetail().startsWith("glibc "), info.mallocDetail());
        }
    }

    @Test
    void applyIsRepeatableAndReportsWhatItDid() {
        assumeTrue(isGlibc(), "not glibc");
        MallocTuning.Result r = MallocTuning.apply(true);
        assertTrue(r.applied(), r.detail());
        assertTrue(r.detail().contains("32 MiB") && r.detail().contains("256 MiB"), r.detail());
    }

    @Test
    void offDoesNothing() {
        MallocTuning.Result r = MallocTuning.apply(false);
        assertFalse(r.applied());
        assertTrue(r.detail().contains("off"), r.detail());
    }

    @Test
    void settingParses() {
        assertTrue(MallocTuning.parseEnabled(null));
        assertTrue(MallocTuning.parseEnabled("On"));
        assertFalse(MallocTuning.parseEnabled("off"));
        assertThrows(IllegalArgumentException.class, () -> MallocTuning.parseEnabled("maybe"));
    }
}
