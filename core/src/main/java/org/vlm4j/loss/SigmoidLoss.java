package org.vlm4j.loss;

import ai.djl.ndarray.NDArray;
import org.vlm4j.nn.Scalars;

/**
 * SigLIP's pairwise sigmoid loss (OpenCLIP SigLipLoss, single device): logits = exp(logit_scale) * img @ txt^T + bias,
 * labels +1 on the diagonal and -1 elsewhere, loss = -sum(log sigmoid(labels * logits)) / N.
 */
public final class SigmoidLoss {
    private SigmoidLoss() {}

    /** @param logitBias the learned bias (0-d), or null for a model without one */
    public static NDArray loss(NDArray image, NDArray text, NDArray logitScale, NDArray logitBias) {
        return loss(image, text, null, logitScale, logitBias);
    }

    /** With hard-negative captions [M, D] (or null): M more negative pairs per image, labelled -1. */
    public static NDArray loss(NDArray image, NDArray text, NDArray negatives, NDArray logitScale, NDArray logitBias) {
        return loss(image, text, negatives, logitScale, logitBias, null);
    }

    /**
     * With several positives per image: {@code positives[i][j]} labels pair (i, candidate j) +1 (the N texts, then
     * the M negatives), e.g. two images with the same caption; null is the diagonal.
     */
    public static NDArray loss(NDArray image, NDArray text, NDArray negatives, NDArray logitScale, NDArray logitBias,
                               boolean[][] positives) {
        NDArray candidates = negatives == null ? text : text.concat(negatives, 0);
        return fromSimilarity(image.matMul(candidates.transpose()), logitScale, logitBias, positives);
    }

    /**
     * The same loss from a similarity matrix [N, K] (row i against the N texts, then any hard negatives), for models
     * whose image embedding depends on the text (Llip).
     */
    public static NDArray fromSimilarity(NDArray similarity, NDArray logitScale, NDArray logitBias,
                                         boolean[][] positives) {
        long n = similarity.getShape().get(0);
        long k = similarity.getShape().get(1);
        NDArray logits = similarity.mul(logitScale.exp());
        if (logitBias != null) {
            logits = logits.add(logitBias);
        }
        NDArray positive = positives == null ? logits.getManager().eye((int) n, (int) k, 0, logits.getDataType())
                : Positives.mask(positives, (int) n, (int) k, logits.getManager());
        NDArray labels = positive.mul(2f).sub(1f);
        return Scalars.div(logSigmoid(labels.mul(logits)).sum().neg(), (float) n);
    }

    /** log sigmoid(x) = -softplus(-x), computed stably as min(x, 0) - log(1 + exp(-|x|)). */
    static NDArray logSigmoid(NDArray x) {
        return Scalars.minimum(x, 0f).sub(x.abs().neg().exp().add(1f).log());
    }
}
