package org.vlm4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/** Convolution against a direct sum, output sides, nearest upsampling, and the residual block's identity path. */
class ConvTest {
    @Test
    void stridedConvolutionEqualsTheDirectSum() {
        try (NDManager m = NDManager.newBaseManager()) {
            Init init = new Init(m, 3);
            Conv conv = Conv.of(init, 2, 3, 4, 2, 1);
            conv.namedParams().get("bias").set(new float[] {0.5f, -1f, 2f});
            float[] w = conv.namedParams().get("weight").array().toFloatArray(); // [3, 2, 4, 4]
            NDArray x = init.normal(1, 1, 2, 6, 6);
            float[] xv = x.toFloatArray();
            NDArray y = conv.forward(x);
            assertEquals(new Shape(1, 3, 3, 3), y.getShape(), "(6 + 2 - 4) / 2 + 1 = 3");
            float[] yv = y.toFloatArray();
            float[] b = {0.5f, -1f, 2f};
            for (int o = 0; o < 3; o++) {
                for (int i = 0; i < 3; i++) {
                    for (int j = 0; j < 3; j++) {
                        double s = b[o];
                        for (int c = 0; c < 2; c++) {
                            for (int u = 0; u < 4; u++) {
                                for (int v = 0; v < 4; v++) {
                                    int r = 2 * i - 1 + u;
                                    int q = 2 * j - 1 + v;
                                    if (r >= 0 && r < 6 && q >= 0 && q < 6) { // zero padding
                                        s += w[((o * 2 + c) * 4 + u) * 4 + v] * xv[(c * 6 + r) * 6 + q];
                                    }
                                }
                            }
                        }
                        assertEquals(s, yv[(o * 3 + i) * 3 + j], 1e-4, "output " + o + "," + i + "," + j);
                    }
                }
            }
            assertThrows(IllegalArgumentException.class, () -> Conv.of(init, 0, 3, 3, 1, 1));
        }
    }

    @Test
    void upsamplingRepeatsEachPixelInATwoByTwoBlock() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[] {1, 2, 3, 4}, new Shape(1, 1, 2, 2));
            NDArray y = Conv.upsample2x(x);
            assertEquals(new Shape(1, 1, 4, 4), y.getShape());
            assertArrayEquals(new float[] {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}, y.toFloatArray());
        }
    }

    @Test
    void residualBlockWithZeroOutputConvIsTheIdentity() {
        try (NDManager m = NDManager.newBaseManager()) {
            Init init = new Init(m, 1);
            ConvResidualBlock block = new ConvResidualBlock(init, 4, 2);
            block.namedParams().get("conv1.weight").set(new float[4 * 2]);
            NDArray x = init.normal(1, 2, 4, 5, 5);
            assertArrayEquals(x.toFloatArray(), block.forward(x).toFloatArray(), 1e-6f);
        }
    }
}
