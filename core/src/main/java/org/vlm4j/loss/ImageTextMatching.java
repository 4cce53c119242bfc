package org.vlm4j.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import org.vlm4j.nn.Scalars;

/**
 * Image-text matching (ALBEF, BLIP, BLIP-2): a two-way classification of (image, text) pairs as matching or not,
 * trained on the batch's pairs and hard negatives. Mean over pairs of the cross-entropy of two logits [M, 2] against
 * labels (1 = match). Hard-negative mining is the caller's ({@link #hardest}).
 */
public final class ImageTextMatching {
    private ImageTextMatching() {}

    /**
     * @param logits [M, 2], column 1 the "match" logit
     * @param labels M labels, 1 for a matching pair, 0 for a negative
     */
    public static NDArray loss(NDArray logits, int[] labels) {
        if (logits.getShape().dimension() != 2 || logits.getShape().get(1) != 2
                || logits.getShape().get(0) != labels.length) {
            throw new IllegalArgumentException("matching loss needs logits [" + labels.length + ", 2], got "
                    + logits.getShape());
        }
        float[] onehot = new float[labels.length * 2];
        for (int i = 0; i < labels.length; i++) {
            onehot[i * 2 + (labels[i] == 1 ? 1 : 0)] = 1f;
        }
        NDArray t = logits.getManager().create(onehot, logits.getShape()).toType(DataType.FLOAT32, false);
        return Scalars.div(logits.logSoftmax(1).mul(t).sum().neg(), (float) labels.length);
    }

    /**
     * BLIP-2's hard negatives, made deterministic: for each row of a similarity matrix [N][N], the most similar
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
}
