package org.vlm4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The feature cache keeps values exactly, on disk across instances, counts hits and misses, and names a bad file. */
class FeatureCacheTest {
    @TempDir
    Path tmp;

    @Test
    void diskCacheSurvivesAndCounts() {
        FeatureCache a = FeatureCache.onDisk(tmp.resolve("c"));
        assertNull(a.get("images/x.png"));
        float[] v = {1.5f, -0f, Float.MIN_VALUE, 3e38f};
        a.put("images/x.png", v);
        assertArrayEquals(v, a.get("images/x.png"));
        assertEquals(1, a.hits());
        assertEquals(1, a.misses());
        FeatureCache b = FeatureCache.onDisk(tmp.resolve("c"));
        assertArrayEquals(v, b.get("images/x.png"));
        assertNull(FeatureCache.inMemory().get("images/x.png"));
    }

    @Test
    void aTruncatedFileIsNamed() throws Exception {
        FeatureCache a = FeatureCache.onDisk(tmp.resolve("c"));
        a.put("k", new float[] {1, 2});
        Path f;
        try (var s = Files.list(tmp.resolve("c"))) {
            f = s.findFirst().orElseThrow();
        }
        Files.write(f, new byte[] {1, 2, 3});
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> FeatureCache.onDisk(tmp.resolve("c")).get("k"));
        assertTrue(e.getMessage().contains(f.getFileName().toString()), e.getMessage());
    }
}
