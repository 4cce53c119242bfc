package org.vlm4j.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

/**
 * The span log-likelihood of rows of different lengths, batched, equals each row's sum of per-token log-probabilities
 * from its own uncached forward pass — with and without cross-attention — so end-padding changes nothing.
 */
class SequenceLogProbsTest {
    @Test
    void batchedSpansEqualPerRowSums() {
        for (boolean cross : new boolean[] {false, true}) {
            try (NDManager m = NDManager.newBaseManager(); NoGrad g = new NoGrad()) {
                TextDecoder d = new TextDecoder(new Init(m, 5), GeneratorTest.config(11, cross));
                long[][] rows = {{1, 4, 7, 2, 9}, {3, 3, 8}, {10, 0, 5, 6, 1, 2, 4}};
                int[] from = {2, 1, 3};
                int[] to = {5, 3, 6};
                NDArray ctx = cross ? new Init(m, 8).normal(1.0, 3, 3, 8) : null;
                double[] got = SequenceLogProbs.sum(d, ctx, rows, from, to, 0, m);
                for (int r = 0; r < rows.length; r++) {
                    double[][] lp = GeneratorTest.fullLogProbs(d, m, rows[r], cross ? ctx.get(r + ":" + (r + 1)) : null);
                    double want = 0;
                    for (int t = from[r]; t < to[r]; t++) {
                        want += lp[t - 1][(int) rows[r][t]];
                    }
                    assertEquals(want, got[r], 1e-4, "row " + r + (cross ? " with a context" : ""));
                }
            }
        }
    }

    @Test
    void badSpansAreNamed() {
        try (NDManager m = NDManager.newBaseManager()) {
            TextDecoder d = new TextDecoder(new Init(m, 5), GeneratorTest.config(11, false));
            var e = assertThrows(IllegalArgumentException.class,
                    () -> SequenceLogProbs.sum(d, null, new long[][] {{1, 2, 3}}, new int[] {0}, new int[] {2}, 0, m));
            assertEquals("row 0 of 3 tokens: span [0, 2) must lie in [1, 3] and be non-empty", e.getMessage());
        }
    }
}
