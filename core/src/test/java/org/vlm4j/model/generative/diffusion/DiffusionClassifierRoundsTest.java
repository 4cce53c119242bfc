package org.vlm4j.model.generative.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The elimination schedule's parsing and checks, and the shared samples' timesteps and noise (no model needed). */
class DiffusionClassifierRoundsTest {
    @Test
    void parsesThePapersScheduleAndRejectsBadOnes() {
        DiffusionClassifier.Rounds r = DiffusionClassifier.Rounds.parse("20:20, 50:10,100:5,500:1", 4);
        assertEquals(List.of(20, 50, 100, 500), r.samples());
        assertEquals(List.of(20, 10, 5, 1), r.keep());
        assertEquals(500, r.totalSamples());
        assertEquals(List.of(Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE),
                r.withoutElimination().keep());
        assertEquals(r.samples(), r.withoutElimination().samples());
        for (String bad : new String[] {"20", "20:5,10:1", "20:5,50:6", "0:1", "a:b"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> DiffusionClassifier.Rounds.parse(bad, 0), bad);
            assertTrue(e.getMessage().contains("rounds") || e.getMessage().contains("counts"), e.getMessage());
        }
    }

    @Test
    void eachRoundsTimestepsAreEvenlySpacedAndInterleave() {
        int[] first = DiffusionClassifier.timesteps(1000, 10, 0);
        assertArrayEquals(new int[] {50, 150, 250, 350, 450, 550, 650, 750, 850, 950}, first);
        int[] second = DiffusionClassifier.timesteps(1000, 10, 1);
        for (int i = 1; i < second.length; i++) {
            assertEquals(100, second[i] - second[i - 1], 1, "evenly spaced");
        }
        assertFalse(second[0] == first[0], "a later round samples other timesteps");
        for (int t : DiffusionClassifier.timesteps(7, 30, 2)) {
            assertTrue(t >= 0 && t < 7);
        }
    }

    @Test
    void noiseDependsOnSeedAndRoundOnly() {
        float[][] a = DiffusionClassifier.noise(3, 1, 4, 50);
        assertArrayEquals(a[3], DiffusionClassifier.noise(3, 1, 4, 50)[3]);
        assertFalse(java.util.Arrays.equals(a[0], DiffusionClassifier.noise(3, 2, 4, 50)[0]));
        assertFalse(java.util.Arrays.equals(a[0], DiffusionClassifier.noise(4, 1, 4, 50)[0]));
        double sum = 0;
        double sq = 0;
        float[][] big = DiffusionClassifier.noise(0, 0, 20, 500);
        for (float[] row : big) {
            for (float v : row) {
                sum += v;
                sq += v * v;
            }
        }
        assertEquals(0, sum / 10000, 0.05);
        assertEquals(1, sq / 10000, 0.05);
    }
}
