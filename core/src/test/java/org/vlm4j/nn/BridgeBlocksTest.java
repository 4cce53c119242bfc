package org.vlm4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The bridge blocks: the Q-Former cross-attends every other layer and only its queries read the image (text beside
 * them, masked from the queries, is exactly the text encoded alone); the resampler compresses any grid to its queries,
 * its 2-D sin-cos table matches hand-computed values, and the positions make it sensitive to where a token is.
 */
class BridgeBlocksTest {
    @Test
    void qformerCrossAttendsEveryOtherLayer() {
        try (NDManager m = NDManager.newBaseManager()) {
            QFormer q = new QFormer(new Init(m, 1), 4, 16, 3, 2, 32, 8, 2, 1e-5f);
            Set<String> names = q.namedParams().keySet();
            assertTrue(names.contains("transformer.blocks.0.cross_attn.q.weight"));
            assertFalse(names.contains("transformer.blocks.1.cross_attn.q.weight"));
            assertTrue(names.contains("transformer.blocks.2.cross_attn.q.weight"));
            assertEquals(new Shape(4, 16), q.namedParams().get("query").array().getShape());
        }
    }

    @Test
    void onlyTheQueriesReadTheImage() {
        try (NDManager m = NDManager.newBaseManager(); NoGrad g = new NoGrad()) {
            QFormer q = new QFormer(new Init(m, 1), 4, 16, 2, 2, 32, 8, 2, 1e-5f);
            Init r = new Init(m, 2);
            NDArray image = r.normal(1.0, 2, 5, 8);
            NDArray text = r.normal(1.0, 2, 3, 16);
            assertEquals(new Shape(2, 4, 16), q.forward(image).getShape());
            // unimodal mask: queries see queries, text sees text
            float[] mask = new float[7 * 7];
            for (int i = 0; i < 7; i++) {
                for (int j = 0; j < 7; j++) {
                    mask[i * 7 + j] = (i < 4) == (j < 4) ? 0f : Float.NEGATIVE_INFINITY;
                }
            }
            NDArray joint = q.forward(image, text, m.create(mask, new Shape(7, 7)));
            assertArrayEquals(q.forward(null, text, null).toFloatArray(), joint.get(":, 4:, :").toFloatArray(), 1e-5f);
            assertArrayEquals(q.forward(image).toFloatArray(), joint.get(":, 0:4, :").toFloatArray(), 1e-5f);
            // with the image changed, the masked text is unchanged and the queries change
            NDArray joint2 = q.forward(image.mul(2f), text, m.create(mask, new Shape(7, 7)));
            assertArrayEquals(joint.get(":, 4:, :").toFloatArray(), joint2.get(":, 4:, :").toFloatArray(), 1e-5f);
            assertFalse(java.util.Arrays.equals(joint.get(":, 0:4, :").toFloatArray(),
                    joint2.get(":, 0:4, :").toFloatArray()));
        }
    }

    @Test
    void sinCosTableHasTheHandComputedValues() {
        float[] t = Resampler.sinCos2d(4, 2, 3); // dim 4: quarter 1, frequency 1
        // token (y=1, x=2) is row 5: [sin 2, cos 2, sin 1, cos 1]
        assertArrayEquals(new float[] {(float) Math.sin(2), (float) Math.cos(2), (float) Math.sin(1),
            (float) Math.cos(1)}, java.util.Arrays.copyOfRange(t, 20, 24), 1e-6f);
        assertArrayEquals(new float[] {0, 1, 0, 1}, java.util.Arrays.copyOfRange(t, 0, 4), 1e-6f);
        assertThrows(IllegalArgumentException.class, () -> Resampler.sinCos2d(6, 2, 2));
    }

    @Test
    void resamplerCompressesAnyGridAndSeesPositions() {
        try (NDManager m = NDManager.newBaseManager(); NoGrad g = new NoGrad()) {
            Resampler rs = new Resampler(new Init(m, 3), 5, 16, 2, 8, 4, 1e-5f);
            Init r = new Init(m, 4);
            NDArray tokens = r.normal(1.0, 2, 16, 8);
            assertEquals(new Shape(2, 5, 16), rs.forward(tokens, 4, 4).getShape());
            assertEquals(new Shape(2, 5, 16), rs.forward(r.normal(1.0, 2, 9, 8), 3, 3).getShape()); // resized table
            // swapping two image tokens changes the output only because of their positions
            long[] perm = new long[16];
            for (int i = 0; i < 16; i++) {
                perm[i] = i == 0 ? 15 : i == 15 ? 0 : i;
            }
            NDArray swapped = tokens.get(":, {}, :", m.create(perm));
            assertFalse(java.util.Arrays.equals(rs.forward(tokens, 4, 4).toFloatArray(),
                    rs.forward(swapped, 4, 4).toFloatArray()));
            assertThrows(IllegalArgumentException.class, () -> rs.forward(tokens, 3, 4));
        }
    }
}
