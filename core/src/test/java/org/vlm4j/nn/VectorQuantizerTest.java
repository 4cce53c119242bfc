package org.vlm4j.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    @Test
    void emaUpdatesFollowTheFormulaAndDeadCodesRestart() {
        try (NDManager m = NDManager.newBaseManager()) {
            VectorQuantizer vq = new VectorQuantizer(new Init(m, 2), 3, 2, 0.25f, 0.5f);
            var params = vq.namedParams();
            assertEquals(false, params.get("codebook").trainable(), "EMA codebooks take no gradient");
            assertEquals(false, params.get("ema_cluster_size").trainable());
            params.get("codebook").set(new float[] {0, 0, 10, 10, -10, 10});
            params.get("ema_embed_sum").set(new float[] {0, 0, 10, 10, -10, 10});
            // four vectors: three near code 0, one near code 1, none near code 2
            NDArray z = m.create(new float[] {1, 0, 0, 1, -1, -1, 9, 11}, new Shape(4, 2));
            NDArray ids = vq.encode(z);
            assertEquals(java.util.List.of(0L, 0L, 0L, 1L), java.util.Arrays.stream(ids.toLongArray()).boxed().toList());
            vq.emaUpdate(z, ids);
            // N = 0.5 * 1 + 0.5 * n_k = {2, 1, 0.5}; m_0 = 0.5 * 0 + 0.5 * (0, 0); m_1 = 0.5 * (10, 10) + 0.5 * (9, 11)
            float[] n = params.get("ema_cluster_size").array().toFloatArray();
            assertEquals(2f, n[0], 1e-6);
            assertEquals(1f, n[1], 1e-6);
            assertEquals(0.5f, n[2], 1e-6);
            double total = 3.5;
            double eps = 1e-5;
            float[] e = params.get("codebook").array().toFloatArray();
            double s1 = (1 + eps) / (total + 3 * eps) * total;
            assertEquals(9.5 / s1, e[2], 1e-5);
            assertEquals(10.5 / s1, e[3], 1e-5);
            double s2 = (0.5 + eps) / (total + 3 * eps) * total;
            assertEquals(-5 / s2, e[4], 1e-4);
            // code 2 (usage 0.5) is dead below 0.6: it restarts at one of the batch's vectors
            assertEquals(1, vq.restartDeadCodes(z, 0.6f, 7));
            float[] after = params.get("codebook").array().toFloatArray();
            float[] zf = z.toFloatArray();
            boolean found = false;
            for (int r = 0; r < 4; r++) {
                found |= after[4] == zf[2 * r] && after[5] == zf[2 * r + 1];
            }
            assertTrue(found, "the restarted code is a batch vector");
            assertEquals(1f, params.get("ema_cluster_size").array().toFloatArray()[2]);
            assertEquals(0, vq.restartDeadCodes(z, 0.6f, 7), "nothing else is dead");
            VectorQuantizer plain = new VectorQuantizer(new Init(m, 2), 3, 2, 0.25f);
            assertThrows(IllegalStateException.class, () -> plain.emaUpdate(z, ids));
        }
    }
}
