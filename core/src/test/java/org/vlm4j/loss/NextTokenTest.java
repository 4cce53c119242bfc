package org.vlm4j.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

/** Next-token cross-entropy against a hand computation, with padding ignored in value and gradient. */
class NextTokenTest {
    static double logSoftmaxAt(float[] row, int k) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : row) {
            max = Math.max(max, v);
        }
        double s = 0;
        for (float v : row) {
            s += Math.exp(v - max);
        }
        return row[k] - max - Math.log(s);
    }

    @Test
    void meanOverNonPaddingTargets() {
        float[][] rows = {{1f, 2f, 0.5f}, {0f, 0f, 3f}, {2f, -1f, 1f}, {0.3f, 0.2f, 0.1f}};
        try (NDManager m = NDManager.newBaseManager()) {
            float[] flat = new float[12];
            for (int i = 0; i < 4; i++) {
                System.arraycopy(rows[i], 0, flat, 3 * i, 3);
            }
            NDArray logits = m.create(flat, new Shape(2, 2, 3));
            logits.setRequiresGradient(true);
            NDArray y = m.create(new long[] {1, 2, 0, 9}, new Shape(2, 2)); // 9 = pad
            NDArray loss;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                loss = NextToken.loss(logits, y, 9);
                gc.backward(loss);
            }
            double expected = -(logSoftmaxAt(rows[0], 1) + logSoftmaxAt(rows[1], 2) + logSoftmaxAt(rows[2], 0)) / 3;
            assertEquals(expected, loss.getFloat(), 1e-6);
            float[] grad = logits.getGradient().toFloatArray();
            for (int k = 9; k < 12; k++) {
                assertEquals(0f, grad[k], "a padded position gets no gradient");
            }
            assertEquals(0.0, grad[0] + grad[1] + grad[2], 1e-6, "softmax gradients sum to zero per position");
            assertThrows(IllegalArgumentException.class,
                    () -> NextToken.loss(logits, m.create(new long[] {9, 9, 9, 9}, new Shape(2, 2)), 9));
            assertThrows(IllegalArgumentException.class,
                    () -> NextToken.loss(logits, m.create(new long[] {1, 2}, new Shape(1, 2)), 9));
        }
    }
}
