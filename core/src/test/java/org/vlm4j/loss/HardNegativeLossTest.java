package org.vlm4j.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/** Hard-negative captions (NegCLIP) in both contrastive losses, against the formulas computed by hand. */
class HardNegativeLossTest {
    static final float[][] IMG = {{1, 0}, {0.6f, 0.8f}};
    static final float[][] TXT = {{0.8f, 0.6f}, {0, 1}};
    static final float[][] NEG = {{1, 0}};
    static final double LOG_SCALE = Math.log(2);

    static double dot(float[] a, float[] b) {
        return a[0] * b[0] + a[1] * b[1];
    }

    static NDArray arr(NDManager m, float[][] rows) {
        float[] flat = new float[rows.length * 2];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, flat, 2 * i, 2);
        }
        return m.create(flat, new Shape(rows.length, 2));
    }

    @Test
    void infoNceNegativesJoinOnlyTheImageToTextCandidates() {
        double s = 2;
        double i2t = 0;
        double t2i = 0;
        for (int i = 0; i < 2; i++) {
            double[] row = {s * dot(IMG[i], TXT[0]), s * dot(IMG[i], TXT[1]), s * dot(IMG[i], NEG[0])};
            i2t += -(row[i] - Math.log(Math.exp(row[0]) + Math.exp(row[1]) + Math.exp(row[2])));
            double[] col = {s * dot(IMG[0], TXT[i]), s * dot(IMG[1], TXT[i])};
            t2i += -(col[i] - Math.log(Math.exp(col[0]) + Math.exp(col[1])));
        }
        double expected = (i2t / 2 + t2i / 2) / 2;
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray scale = m.create((float) LOG_SCALE);
            assertEquals(expected, InfoNce.loss(arr(m, IMG), arr(m, TXT), arr(m, NEG), scale).getFloat(), 1e-6);
            // without negatives: the plain loss
            double plain = 0;
            for (int i = 0; i < 2; i++) {
                double[] row = {s * dot(IMG[i], TXT[0]), s * dot(IMG[i], TXT[1])};
                plain += -(row[i] - Math.log(Math.exp(row[0]) + Math.exp(row[1])));
            }
            assertEquals((plain / 2 + t2i / 2) / 2, InfoNce.loss(arr(m, IMG), arr(m, TXT), null, scale).getFloat(), 1e-6);
        }
    }

    @Test
    void sigmoidNegativesAreMoreNegativePairs() {
        double s = 2;
        double b = -1;
        double sum = 0;
        float[][] cand = {TXT[0], TXT[1], NEG[0]};
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 3; j++) {
                double z = (i == j ? 1 : -1) * (s * dot(IMG[i], cand[j]) + b);
                sum += Math.log(1 / (1 + Math.exp(-z)));
            }
        }
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray loss = SigmoidLoss.loss(arr(m, IMG), arr(m, TXT), arr(m, NEG), m.create((float) LOG_SCALE),
                    m.create(-1f));
            assertEquals(-sum / 2, loss.getFloat(), 1e-6);
        }
    }
}
