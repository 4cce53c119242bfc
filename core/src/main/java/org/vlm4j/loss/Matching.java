package org.vlm4j.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;
import org.vlm4j.nn.Scalars;

/**
 * Image-text matching (ITM), the one implementation every masking family uses: a binary head on a fused [CLS] says
 * whether a pair matches (class 1) or not (class 0). Negatives are sampled in the batch: with contrastive
 * similarities, each image's negative text is drawn with probability softmax(similarity) over its non-positive texts
 * (and each text's negative image likewise), as ALBEF (Li et al. 2021) and BLIP do, so harder negatives come more
 * often; without similarities (a single-stream model) uniformly among the non-positives, the fallback.
 */
public final class Matching {
    private Matching() {}

    /**
     * One negative column per row: never a positive ({@code positives[i][j]}, null = the diagonal only); -1 when a row
     * has no non-positive column.
     *
     * @param similarity [rows][cols] similarities (e.g. scaled cosine logits), or null for uniform sampling
     */
    public static int[] sampleNegatives(float[][] similarity, boolean[][] positives, int rows, int cols,
                                        SplittableRandom rng) {
        int[] out = new int[rows];
        double[] w = new double[cols];
        for (int i = 0; i < rows; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < cols; j++) {
                if (!isPositive(positives, i, j) && similarity != null) {
                    max = Math.max(max, similarity[i][j]);
                }
            }
            double total = 0;
            for (int j = 0; j < cols; j++) {
                w[j] = isPositive(positives, i, j) ? 0 : similarity == null ? 1 : Math.exp(similarity[i][j] - max);
                total += w[j];
            }
            if (total == 0) {
                out[i] = -1;
                continue;
            }
            double u = rng.nextDouble() * total;
            int pick = -1;
            for (int j = 0; j < cols; j++) {
                if (w[j] > 0) {
                    pick = j; // the last candidate also catches rounding at the top end
                    u -= w[j];
                    if (u < 0) {
                        break;
                    }
                }
            }
            out[i] = pick;
        }
        return out;
    }

    /**
     * BLIP-2's hard negatives, made deterministic: for each row of a similarity matrix [rows][cols], the most similar
     * column that is not a positive ({@code positive[i][j]}, e.g. the same caption), or -1 when every column is.
     */
    public static int[] hardest(float[][] similarity, boolean[][] positive) {
        int[] out = new int[similarity.length];
        for (int i = 0; i < similarity.length; i++) {
            out[i] = -1;
            for (int j = 0; j < similarity[i].length; j++) {
                if (!positive[i][j] && (out[i] < 0 || similarity[i][j] > similarity[i][out[i]])) {
                    out[i] = j;
                }
            }
        }
        return out;
    }

    private static boolean isPositive(boolean[][] positives, int i, int j) {
        return positives == null ? i == j : positives[i][j];
    }

    /** The transpose of a square matrix of flags or similarities (text-to-image sampling). */
    public static boolean[][] transpose(boolean[][] a) {
        if (a == null) {
            return null;
        }
        boolean[][] t = new boolean[a[0].length][a.length];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[0].length; j++) {
                t[j][i] = a[i][j];
            }
        }
        return t;
    }

    public static float[][] transpose(float[][] a) {
        if (a == null) {
            return null;
        }
        float[][] t = new float[a[0].length][a.length];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[0].length; j++) {
                t[j][i] = a[i][j];
            }
        }
        return t;
    }

    /**
     * Mean cross-entropy of the two-way head.
     *
     * @param logits [M, 2] (class 0 = no match, 1 = match)
     * @param labels M labels, 0 or 1
     */
    public static NDArray loss(NDArray logits, int[] labels) {
        Shape s = logits.getShape();
        if (s.dimension() != 2 || s.get(1) != 2 || s.get(0) != labels.length) {
            throw new IllegalArgumentException("matching loss needs logits [" + labels.length + ", 2], got " + s);
        }
        float[] onehot = new float[labels.length * 2];
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] != 0 && labels[i] != 1) {
                throw new IllegalArgumentException("matching label " + i + " is " + labels[i] + ", not 0 or 1");
            }
            onehot[2 * i + labels[i]] = 1f;
        }
        NDArray y = logits.getManager().create(onehot, s).toType(DataType.FLOAT32, false);
        return Scalars.div(logits.logSoftmax(1).mul(y).sum().neg(), (float) labels.length);
    }

    /** The match probability of each row: softmax(logits)[:, 1]. */
    public static float[] probability(NDArray logits) {
        return logits.softmax(1).get(":, 1").toFloatArray();
    }
}
