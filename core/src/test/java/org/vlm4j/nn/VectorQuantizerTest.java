package org.vlm4j.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

/** Nearest codes by brute force, straight-through gradients, the two losses by hand, and perplexity. */
class VectorQuantizerTest {
    @Test
    void nearestCodesLossesAndStraightThroughGradient() {
        try (NDManager m = NDManager.newBaseManager()) {
            VectorQuantizer vq = new VectorQuantizer(new Init(m, 4), 5, 3, 0.25f);
            float[] book = vq.namedParams().get("codebook").array().toFloatArray();
            NDArray z = new Init(m, 5).normal(0.3, 2, 4, 3); // [2, 4, 3]: 8 vectors
            float[] zv = z.toFloatArray();
            z.setRequiresGradient(true);
            VectorQuantizer.Result r;
            NDArray loss;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                r = vq.forward(z);
                loss = r.quantized().sum().add(r.codebookLoss()).add(r.commitmentLoss());
                gc.backward(loss);
            }
            assertEquals(new Shape(2, 4), r.codes().getShape());
            long[] codes = r.codes().toLongArray();
            double cb = 0;
            int[] used = new int[5];
            for (int i = 0; i < 8; i++) {
                int best = 0;
                double bestD = Double.MAX_VALUE;
                for (int k = 0; k < 5; k++) {
                    double d = 0;
                    for (int j = 0; j < 3; j++) {
                        double t = zv[3 * i + j] - book[3 * k + j];
                        d += t * t;
                    }
                    if (d < bestD) {
                        bestD = d;
                        best = k;
                    }
                }
                assertEquals(best, codes[i], "vector " + i + " goes to its nearest code");
                cb += bestD;
                used[best]++;
            }
            assertEquals(cb / 24, r.codebookLoss().getFloat(), 1e-6);
            assertEquals(0.25 * cb / 24, r.commitmentLoss().getFloat(), 1e-6);
            float[] q = r.quantized().toFloatArray();
            for (int i = 0; i < 8; i++) {
                for (int j = 0; j < 3; j++) {
                    assertEquals(book[3 * (int) codes[i] + j], q[3 * i + j], 1e-6, "forward gives the code");
                }
            }
            // d/dz: 1 from the straight-through sum, plus the commitment term's 2 beta (z - q) / 24
            float[] g = z.getGradient().toFloatArray();
            for (int i = 0; i < 24; i++) {
                assertEquals(1 + 2 * 0.25 * (zv[i] - q[i]) / 24, g[i], 1e-5);
            }
            double h = 0;
            for (int c : used) {
                if (c > 0) {
                    h -= c / 8.0 * Math.log(c / 8.0);
                }
            }
            assertEquals(Math.exp(h), r.perplexity(), 1e-9);
        }
    }

    @Test
    void perplexityBoundsAndBadInput() {
        try (NDManager m = NDManager.newBaseManager()) {
            VectorQuantizer vq = new VectorQuantizer(new Init(m, 1), 4, 2, 0.25f);
            assertEquals(4.0, vq.perplexity(m.create(new long[] {0, 1, 2, 3, 3, 2, 1, 0})), 1e-9);
            assertEquals(1.0, vq.perplexity(m.create(new long[] {2, 2, 2})), 1e-9);
            assertThrows(IllegalArgumentException.class, () -> vq.encode(m.zeros(new Shape(3, 5))));
            NDArray ids = m.create(new long[] {3, 0});
            assertEquals(vq.decode(ids).getShape(), new Shape(2, 2));
            assertEquals(ids.toLongArray()[0], vq.encode(vq.decode(ids)).toLongArray()[0], "a code maps to itself");
        }
    }
}
