package org.vlm4j.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Masked image modelling on hand-made tensors: patch order, per-patch normalisation, both losses, the mask rule. */
class MaskedPatchesTest {
    @Test
    void patchifyIsRowMajorOverTheGridAndRowColumnChannelInsideAPatch() {
        try (NDManager m = NDManager.newBaseManager()) {
            // 1 image, 2 channels, 4x4: value = 100 c + 10 y + x
            float[] px = new float[32];
            for (int c = 0; c < 2; c++) {
                for (int y = 0; y < 4; y++) {
                    for (int x = 0; x < 4; x++) {
                        px[c * 16 + y * 4 + x] = 100 * c + 10 * y + x;
                    }
                }
            }
            NDArray p = MaskedPatches.patchify(m.create(px, new Shape(1, 2, 4, 4)), 2);
            assertEquals(new Shape(1, 4, 8), p.getShape());
            float[] v = p.toFloatArray();
            // patch 1 = grid (0, 1): pixels (y 0..1, x 2..3), each as (c0, c1)
            assertArrayEquals(new float[] {2, 102, 3, 103, 12, 112, 13, 113}, java.util.Arrays.copyOfRange(v, 8, 16));
            // patch 2 = grid (1, 0)
            assertArrayEquals(new float[] {20, 120, 21, 121, 30, 130, 31, 131}, java.util.Arrays.copyOfRange(v, 16, 24));
        }
    }

    @Test
    void pixelTargetsAndLossOnMaskedPatchesOnly() {
        try (NDManager m = NDManager.newBaseManager()) {
            // two patches of 4 values: [1,2,3,4] (mean 2.5, var 1.25) and [5,5,5,5] (var 0)
            NDArray patches = m.create(new float[] {1, 2, 3, 4, 5, 5, 5, 5}, new Shape(1, 2, 4));
            float[] t = MaskedPatches.pixelTargets(patches).toFloatArray();
            double sd = Math.sqrt(1.25 + 1e-6);
            assertEquals(-1.5 / sd, t[0], 1e-5);
            assertEquals(1.5 / sd, t[3], 1e-5);
            assertEquals(0f, t[5], 1e-6, "a flat patch becomes zeros");
            NDArray pred = m.create(new float[] {0, 0, 0, 0, 1, 1, 1, 1}, new Shape(1, 2, 4));
            NDArray target = m.create(new float[] {1, 1, 1, 1, 3, 3, 3, 3}, new Shape(1, 2, 4));
            // only patch 1 masked: mean((1-3)^2) = 4; patch 0 (error 1) must not count
            assertEquals(4f, MaskedPatches.pixelLoss(pred, target, m.create(new float[] {0, 1}, new Shape(1, 2)))
                    .getFloat(), 1e-6);
            assertEquals(2.5f, MaskedPatches.pixelLoss(pred, target, m.create(new float[] {1, 1}, new Shape(1, 2)))
                    .getFloat(), 1e-6);
            assertThrows(IllegalArgumentException.class, () -> MaskedPatches.pixelLoss(pred, target,
                    m.create(new float[] {0, 0}, new Shape(1, 2))));
        }
    }

    @Test
    void codeLossIsCrossEntropyAtMaskedPatches() {
        try (NDManager m = NDManager.newBaseManager()) {
            float[] logits = {2, 0, 0, /**/ 0, 1, 3, /**/ 1, 1, 1};
            NDArray l = m.create(logits, new Shape(1, 3, 3));
            int[][] codes = {{0, 2, 1}};
            boolean[][] mask = {{false, true, true}};
            double byHand = -((3 - Math.log(1 + Math.exp(1) + Math.exp(3))) + (1 - Math.log(3 * Math.exp(1)))) / 2;
            assertEquals(byHand, MaskedPatches.codeLoss(l, codes, mask).getFloat(), 1e-6);
        }
    }

    @Test
    void randomMaskHasAFixedCountPerRowAndCoversEveryPatch() {
        boolean[][] mask = MaskedPatches.randomMask(400, 16, 0.4f, new SplittableRandom(3));
        int[] perPatch = new int[16];
        for (boolean[] row : mask) {
            int k = 0;
            for (int t = 0; t < 16; t++) {
                k += row[t] ? 1 : 0;
                perPatch[t] += row[t] ? 1 : 0;
            }
            assertEquals(6, k, "round(0.4 * 16) patches per image");
        }
        for (int c : perPatch) {
            // each patch masked with probability 6/16 over 400 rows: mean 150, sd ~9.7
            MaskedTokensTest.assertWithin(c, 400, 6 / 16.0, "patch");
        }
    }
}
