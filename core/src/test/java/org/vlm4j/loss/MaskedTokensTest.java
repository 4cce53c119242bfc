package org.vlm4j.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** BERT's masking rule on a large sample, and the loss on selected positions only against a hand computation. */
class MaskedTokensTest {
    static final long MASK = 5000;

    @Test
    void proportionsFollowBertWithinStatisticalBounds() {
        int rows = 100;
        int len = 500;
        long[][] ids = new long[rows][len];
        boolean[][] maskable = new boolean[rows][len];
        for (int r = 0; r < rows; r++) {
            for (int t = 0; t < len; t++) {
                ids[r][t] = 3000 + (r * 7 + t) % 1000;
                maskable[r][t] = t % 5 != 0; // every fifth position is a special token
            }
        }
        long[] pool = new long[1000];
        for (int i = 0; i < pool.length; i++) {
            pool[i] = i; // disjoint from the ids, so a random replacement is always visible
        }
        MaskedTokens.Masked m = MaskedTokens.mask(ids, maskable, MASK, pool, 0.15f, new SplittableRandom(7));
        long candidates = 0;
        long selected = 0;
        long masked = 0;
        long random = 0;
        long kept = 0;
        for (int r = 0; r < rows; r++) {
            for (int t = 0; t < len; t++) {
                long target = m.targets()[r][t];
                long in = m.inputs()[r][t];
                if (!maskable[r][t]) {
                    assertEquals(MaskedTokens.IGNORE, target, "a special position is never selected");
                    assertEquals(ids[r][t], in);
                    continue;
                }
                candidates++;
                if (target == MaskedTokens.IGNORE) {
                    assertEquals(ids[r][t], in, "an unselected position is unchanged");
                    continue;
                }
                assertEquals(ids[r][t], target, "the target is the original id");
                selected++;
                if (in == MASK) {
                    masked++;
                } else if (in == ids[r][t]) {
                    kept++;
                } else {
                    assertTrue(in >= 0 && in < 1000, "a random replacement comes from the pool");
                    random++;
                }
            }
        }
        assertWithin(selected, candidates, 0.15, "selected");
        assertWithin(masked, selected, 0.8, "[MASK]");
        assertWithin(random, selected, 0.1, "random");
        assertWithin(kept, selected, 0.1, "kept");
        assertEquals(selected, m.selected());
    }

    /** Within 4.5 binomial standard deviations (a false alarm about once in 150,000 runs; the seed is fixed anyway). */
    static void assertWithin(long hits, long n, double p, String what) {
        double sd = Math.sqrt(n * p * (1 - p));
        assertTrue(Math.abs(hits - n * p) < 4.5 * sd, what + ": " + hits + " of " + n + ", expected " + p);
    }

    @Test
    void everyRowWithTextGetsAtLeastOneSelection() {
        long[][] ids = new long[2000][];
        boolean[][] maskable = new boolean[2000][];
        for (int r = 0; r < ids.length; r++) {
            ids[r] = new long[] {1, 10, 11, 2, 0};
            maskable[r] = new boolean[] {false, true, true, false, false};
        }
        MaskedTokens.Masked m = MaskedTokens.mask(ids, maskable, 99, new long[] {10, 11, 12}, 0.15f,
                new SplittableRandom(1));
        for (long[] row : m.targets()) {
            assertTrue(row[1] != MaskedTokens.IGNORE || row[2] != MaskedTokens.IGNORE);
            assertEquals(MaskedTokens.IGNORE, row[0]);
            assertEquals(MaskedTokens.IGNORE, row[3]);
        }
    }

    @Test
    void lossCountsSelectedPositionsOnly() {
        float[][] rows = {{1f, 2f, 0.5f}, {0f, 0f, 3f}, {2f, -1f, 1f}, {0.3f, 0.2f, 0.1f}};
        try (NDManager m = NDManager.newBaseManager()) {
            float[] flat = new float[12];
            for (int i = 0; i < 4; i++) {
                System.arraycopy(rows[i], 0, flat, 3 * i, 3);
            }
            NDArray logits = m.create(flat, new Shape(2, 2, 3));
            NDArray y = m.create(new long[] {-1, 2, 0, -1}, new Shape(2, 2));
            double expected = -(NextTokenTest.logSoftmaxAt(rows[1], 2) + NextTokenTest.logSoftmaxAt(rows[2], 0)) / 2;
            // by hand: row 1 = [0,0,3]: 3 - log(2 + e^3) ; row 2 = [2,-1,1]: 2 - log(e^2 + e^-1 + e^1)
            double byHand = -((3 - Math.log(2 + Math.exp(3))) + (2 - Math.log(Math.exp(2) + Math.exp(-1) + Math.exp(1))))
                    / 2;
            assertEquals(byHand, expected, 1e-9);
            assertEquals(expected, MaskedTokens.loss(logits, y).getFloat(), 1e-6);
        }
    }
}
