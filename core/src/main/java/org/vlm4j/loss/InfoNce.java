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
        NDArray scale = logitScale.exp();
        NDArray logits = image.matMul(text.transpose()).mul(scale);
        NDArray imageToText = negatives == null ? logits
                : logits.concat(image.matMul(negatives.transpose()).mul(scale), 1);
        if (positives == null) {
            return Scalars.div(diagonalCrossEntropy(imageToText).add(diagonalCrossEntropy(logits.transpose())), 2f);
        }
        int n = (int) image.getShape().get(0);
        NDArray i2t = Positives.targets(positives, n, (int) imageToText.getShape().get(1), false,
                logits.getManager());
        NDArray t2i = Positives.targets(positives, n, n, true, logits.getManager());
        return Scalars.div(softCrossEntropy(imageToText, i2t).add(softCrossEntropy(logits.transpose(), t2i)), 2f);
    }

    /**
     * Symmetric cross-entropy of already-scaled similarity logits [N, N] whose matching pairs are on the diagonal
     * (BLIP-2's image-text contrastive loss, where the similarity is the maximum over the query tokens); with
     * {@code positives} (see {@link #loss(NDArray, NDArray, NDArray, NDArray, boolean[][])}) soft targets.
     */
    public static NDArray fromLogits(NDArray logits, boolean[][] positives) {
        if (positives == null) {
            return Scalars.div(diagonalCrossEntropy(logits).add(diagonalCrossEntropy(logits.transpose())), 2f);
        }
        int n = (int) logits.getShape().get(0);
        return Scalars.div(softCrossEntropy(logits, Positives.targets(positives, n, n, false, logits.getManager()))
                .add(softCrossEntropy(logits.transpose(), Positives.targets(positives, n, n, true,
                        logits.getManager()))), 2f);
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
