package org.vlm4j.loss;

import ai.djl.ndarray.NDArray;
import org.vlm4j.nn.Scalars;

/**
 * CLIP's symmetric InfoNCE (OpenCLIP ClipLoss): logits = exp(logit_scale) * img @ txt^T, the matching pair of each
 * row is on the diagonal, loss = (CE(logits, diag) + CE(logits^T, diag)) / 2.
 */
public final class InfoNce {
    private InfoNce() {}

    /**
     * @param image      L2-normalised image embeddings [N, D]
     * @param text       L2-normalised text embeddings [N, D], row i describes image i
     * @param logitScale the learned log-scale (0-d); exp() is applied here
     */
    public static NDArray loss(NDArray image, NDArray text, NDArray logitScale) {
        return loss(image, text, null, logitScale);
    }

    /**
     * NegCLIP's variant (Yuksekgonul et al. 2023): hard-negative captions [M, D] (or null) join the candidates of the
     * image-to-text direction, so each image must rank its caption above them too; text-to-image is unchanged.
     */
    public static NDArray loss(NDArray image, NDArray text, NDArray negatives, NDArray logitScale) {
        return loss(image, text, negatives, logitScale, null);
    }

    /**
     * With several positives per row (UniCL, Yang et al. 2022): {@code positives[i][j]} says candidate j (the N texts,
     * then the M negatives) matches image i — e.g. two images with the same caption, which no text tower can tell
     * apart, so calling one a negative of the other is a label error. Each row's target is uniform over its
     * positives, in both directions; null (or the identity) is plain InfoNCE.
     */
    public static NDArray loss(NDArray image, NDArray text, NDArray negatives, NDArray logitScale,
                               boolean[][] positives) {
        NDArray candidates = negatives == null ? text : text.concat(negatives, 0);
        return fromSimilarity(image.matMul(candidates.transpose()), logitScale, positives);
    }

    /**
     * The same loss from a similarity matrix [N, N + M]: row i against the N texts (column j describes image j), then
     * the M hard negatives. Models whose image embedding depends on the text (Llip) compute the matrix themselves.
     */
    public static NDArray fromSimilarity(NDArray similarity, NDArray logitScale, boolean[][] positives) {
        int n = (int) similarity.getShape().get(0);
        NDArray imageToText = similarity.mul(logitScale.exp());
        NDArray logits = imageToText.getShape().get(1) == n ? imageToText : imageToText.get(":, :" + n);
        if (positives == null) {
            return Scalars.div(diagonalCrossEntropy(imageToText).add(diagonalCrossEntropy(logits.transpose())), 2f);
        }
        NDArray i2t = Positives.targets(positives, n, (int) imageToText.getShape().get(1), false,
                logits.getManager());
        NDArray t2i = Positives.targets(positives, n, n, true, logits.getManager());
        return Scalars.div(softCrossEntropy(imageToText, i2t).add(softCrossEntropy(logits.transpose(), t2i)), 2f);
    }

    /** Mean over rows of -sum(targets * log softmax(row)). */
    private static NDArray softCrossEntropy(NDArray logits, NDArray targets) {
        return Scalars.div(logits.logSoftmax(1).mul(targets).sum().neg(), (float) logits.getShape().get(0));
    }

    /** Mean over rows of -log softmax(row)[i], for [N, K] logits with K >= N (row i's target is column i). */
    static NDArray diagonalCrossEntropy(NDArray logits) {
        long n = logits.getShape().get(0);
        long k = logits.getShape().get(1);
        NDArray eye = logits.getManager().eye((int) n, (int) k, 0, logits.getDataType());
        return Scalars.div(logits.logSoftmax(1).mul(eye).sum().neg(), (float) n);
    }
}
