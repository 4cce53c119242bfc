package org.vlm4j.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** ITM negatives: never a positive, softmax-weighted by similarity (ALBEF), uniform without; the two-way loss. */
class MatchingTest {
    @Test
    void hardNegativeSamplingNeverPicksAPositive() {
        SplittableRandom rng = new SplittableRandom(11);
        // captions 0 and 2 are the same text, so both are positives of images 0 and 2
        boolean[][] positives = Positives.sameText(List.of("a", "b", "a", "c"), List.of("a", "b", "a", "c"));
        float[][] sim = {{9, 1, 9, 0}, {2, 9, 1, 0}, {9, 0, 9, 3}, {0, 5, 0, 9}}; // positives the most similar
        for (int trial = 0; trial < 2000; trial++) {
            int[] neg = Matching.sampleNegatives(sim, positives, 4, 4, rng);
            assertTrue(neg[0] == 1 || neg[0] == 3, "image 0 got " + neg[0]);
            assertTrue(neg[2] == 1 || neg[2] == 3, "image 2 got " + neg[2]);
            assertNotEquals(1, neg[1]);
            assertNotEquals(3, neg[3]);
            int[] uniform = Matching.sampleNegatives(null, positives, 4, 4, rng);
            for (int i = 0; i < 4; i++) {
                assertTrue(uniform[i] >= 0 && !positives[i][uniform[i]]);
            }
        }
    }

    @Test
    void harderNegativesComeAsOftenAsSoftmaxSays() {
        SplittableRandom rng = new SplittableRandom(5);
        float[][] sim = {{5, (float) Math.log(3), 0}}; // non-positives 1 and 2 with weights 3 : 1
        int ones = 0;
        int n = 20000;
        for (int i = 0; i < n; i++) {
            int j = Matching.sampleNegatives(sim, null, 1, 3, rng)[0];
            assertTrue(j == 1 || j == 2);
            ones += j == 1 ? 1 : 0;
        }
        MaskedTokensTest.assertWithin(ones, n, 0.75, "harder negative");
        int[] none = Matching.sampleNegatives(null, new boolean[][] {{true, true}}, 1, 2, rng);
        assertArrayEquals(new int[] {-1}, none, "a row whose every column is positive has no negative");
    }

    @Test
    void lossIsTwoWayCrossEntropy() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray logits = m.create(new float[] {0, 2, 1, -1, 0.5f, 0.5f}, new Shape(3, 2));
            double l0 = -(2 - Math.log(1 + Math.exp(2)));
            double l1 = -(1 - Math.log(Math.exp(1) + Math.exp(-1)));
            double l2 = Math.log(2);
            assertEquals((l0 + l1 + l2) / 3, Matching.loss(logits, new int[] {1, 0, 1}).getFloat(), 1e-6);
            float[] p = Matching.probability(logits);
            assertEquals(1 / (1 + Math.exp(-2)), p[0], 1e-6);
            assertEquals(0.5, p[2], 1e-6);
        }
    }
}
