package org.vlm4j.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * fp32 GEMM through DJL (oneMKL, with the vendor shim where the CPU gets it) against the same product in Java
 * float64. The inputs are fp32 values, so the float64 reference is exact up to ~1e-16 and every difference is
 * the engine's.
 */
class EngineGemmCorrectnessTest {

    /** Max relative error allowed: fp32 accumulation over K=384 gives ~1e-7; a wrong or low-precision kernel ~1e-3. */
    static final double TOLERANCE = 1e-5;

    @ParameterizedTest(name = "{0}x{1} @ {1}x{2}")
    @CsvSource({"256, 384, 192", "255, 383, 191", "1, 384, 1"})
    void matMulMatchesFloat64(int m, int k, int n) {
        EngineInfo info = Vlm4jEngine.init();
        Random random = new Random(42L * m + k + n);
        float[] a = new float[m * k];
        float[] b = new float[k * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) random.nextGaussian();
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) random.nextGaussian();
        }
        float[] c;
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = manager.create(a, new Shape(m, k));
            NDArray y = manager.create(b, new Shape(k, n));
            NDArray z = x.matMul(y);
            assertArrayEquals(new long[] {m, n}, z.getShape().getShape());
            assertTrue(z.getDataType() == DataType.FLOAT32);
            c = z.toFloatArray();
        }
        // Relative error per element against the scale of its sum, sum_p |a_ip b_pj| (a plain |ref| blows up where
        // the sum cancels to ~0), and normwise: max error over max |ref|.
        double maxErrOverScale = 0;
        double maxRef = 0;
        double maxErr = 0;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double ref = 0;
                double abs = 0;
                for (int p = 0; p < k; p++) {
                    double t = (double) a[i * k + p] * b[p * n + j];
                    ref += t;
                    abs += Math.abs(t);
                }
                double err = Math.abs(c[i * n + j] - ref);
                maxErrOverScale = Math.max(maxErrOverScale, err / abs);
                maxRef = Math.max(maxRef, Math.abs(ref));
                maxErr = Math.max(maxErr, err);
            }
        }
        double normwise = maxErr / maxRef;
        String what = String.format("max |err|/sum|ab| %.3g, max |err|/max|ref| %.3g (shim %s)",
                maxErrOverScale, normwise, info.shimApplied() ? "applied" : "not applied");
        assertTrue(normwise < TOLERANCE, what);
        assertTrue(maxErrOverScale < TOLERANCE, what);
        System.out.println("GEMM " + m + "x" + k + "x" + n + ": " + what);
    }
}
