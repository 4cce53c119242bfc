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
        NDArray logits = image.matMul(text.transpose()).mul(logitScale.exp());
        return Scalars.div(diagonalCrossEntropy(logits).add(diagonalCrossEntropy(logits.transpose())), 2f);
    }

    /** Mean over rows of -log softmax(row)[i]. */
    static NDArray diagonalCrossEntropy(NDArray logits) {
        long n = logits.getShape().get(0);
        NDArray eye = logits.getManager().eye((int) n);
        return Scalars.div(logits.logSoftmax(1).mul(eye).sum().neg(), (float) n);
    }
}
