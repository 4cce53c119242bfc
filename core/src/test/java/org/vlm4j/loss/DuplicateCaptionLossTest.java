package org.vlm4j.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.vlm4j.loss.HardNegativeLossTest.arr;
import static org.vlm4j.loss.HardNegativeLossTest.dot;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Identical captions as shared positives (UniCL-style targets) in both losses, against hand-computed formulas. */
class DuplicateCaptionLossTest {
    // three images; captions 0 and 2 are the same text; one hard negative equal to caption 1's text
    static final float[][] IMG = {{1, 0}, {0.6f, 0.8f}, {0, 1}};
    static final float[][] TXT = {{0.8f, 0.6f}, {0, 1}, {0.8f, 0.6f}};
    static final float[][] NEG = {{0, 1}};
    static final List<String> CAPTIONS = List.of("a red circle", "a blue star", "a red circle");
    static final List<String> COLUMNS = List.of("a red circle", "a blue star", "a red circle", "a blue star");

    @Test
    void sameTextMarksDuplicatesAndIsNullWithoutThem() {
        boolean[][] p = Positives.sameText(CAPTIONS, COLUMNS);
        assertArrayEquals(new boolean[] {true, false, true, false}, p[0]);
        assertArrayEquals(new boolean[] {false, true, false, true}, p[1]);
        assertArrayEquals(new boolean[] {true, false, true, false}, p[2]);
        assertNull(Positives.sameText(List.of("a", "b"), List.of("a", "b", "c")), "the diagonal only: plain path");
    }

    @Test
    void infoNceTargetsAreUniformOverPositives() {
        boolean[][] p = Positives.sameText(CAPTIONS, COLUMNS);
        double s = 2;
        float[][] cand = {TXT[0], TXT[1], TXT[2], NEG[0]};
        double i2t = 0;
        for (int i = 0; i < 3; i++) {
            double lse = 0;
            for (float[] c : cand) {
                lse += Math.exp(s * dot(IMG[i], c));
            }
            lse = Math.log(lse);
            int count = 0;
            double sum = 0;
            for (int j = 0; j < 4; j++) {
                if (p[i][j]) {
                    count++;
                    sum += s * dot(IMG[i], cand[j]) - lse;
                }
            }
            i2t += -sum / count; // row 0: -(log p00 + log p02) / 2; row 1: -(log p11 + log p13) / 2
        }
        double t2i = 0;
        for (int t = 0; t < 3; t++) {
            double lse = 0;
            for (float[] im : IMG) {
                lse += Math.exp(s * dot(im, TXT[t]));
            }
            lse = Math.log(lse);
            int count = 0;
            double sum = 0;
            for (int i = 0; i < 3; i++) {
                if (CAPTIONS.get(i).equals(CAPTIONS.get(t))) {
                    count++;
                    sum += s * dot(IMG[i], TXT[t]) - lse;
                }
            }
            t2i += -sum / count;
        }
        double expected = (i2t / 3 + t2i / 3) / 2;
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray scale = m.create((float) Math.log(s));
            assertEquals(expected, InfoNce.loss(arr(m, IMG), arr(m, TXT), arr(m, NEG), scale, p).getFloat(), 1e-6);
            // the identity as positives is plain InfoNCE
            boolean[][] eye = new boolean[3][4];
            for (int i = 0; i < 3; i++) {
                eye[i][i] = true;
            }
            assertEquals(InfoNce.loss(arr(m, IMG), arr(m, TXT), arr(m, NEG), scale).getFloat(),
                    InfoNce.loss(arr(m, IMG), arr(m, TXT), arr(m, NEG), scale, eye).getFloat(), 1e-6);
        }
    }

    @Test
    void sigmoidLabelsDuplicatesPositive() {
        boolean[][] p = Positives.sameText(CAPTIONS, COLUMNS);
        double s = 2;
        double b = -1;
        float[][] cand = {TXT[0], TXT[1], TXT[2], NEG[0]};
        double sum = 0;
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 4; j++) {
                double z = (p[i][j] ? 1 : -1) * (s * dot(IMG[i], cand[j]) + b);
                sum += Math.log(1 / (1 + Math.exp(-z)));
            }
        }
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray loss = SigmoidLoss.loss(arr(m, IMG), arr(m, TXT), arr(m, NEG), m.create((float) Math.log(s)),
                    m.create((float) b), p);
            assertEquals(-sum / 3, loss.getFloat(), 1e-6);
        }
    }
}
