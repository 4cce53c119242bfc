package org.vlm4j.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/**
 * The matching loss and hard-negative choice against hand computations.
 */
class MatchingHardestTest {
    @Test
    void crossEntropyOfTwoWayLogits() {
        try (NDManager m = NDManager.newBaseManager()) {
            // row 0: [0, ln 3], label 1 -> -ln(3/4); row 1: [ln 2, 0], label 0 -> -ln(2/3)
            NDArray logits = m.create(new float[] {0f, (float) Math.log(3), (float) Math.log(2), 0f}, new Shape(2, 2));
            double want = (-Math.log(0.75) - Math.log(2 / 3.0)) / 2;
            assertEquals(want, Matching.loss(logits, new int[] {1, 0}).getFloat(), 1e-6);
            assertThrows(IllegalArgumentException.class, () -> Matching.loss(logits, new int[] {1}));
        }
    }

    @Test
    void hardestNegativeIsTheMostSimilarNonPositive() {
        float[][] sim = {{0.9f, 0.8f, 0.1f}, {0.2f, 0.5f, 0.4f}, {0.3f, 0.3f, 0.9f}};
        boolean[][] pos = {{true, false, false}, {false, true, false}, {false, false, true}};
        assertArrayEquals(new int[] {1, 2, 0}, Matching.hardest(sim, pos));
        boolean[][] all = {{true, true, true}, {true, true, true}, {true, true, true}};
        assertArrayEquals(new int[] {-1, -1, -1}, Matching.hardest(sim, all));
    }
}
