package org.vlm4j.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * Next-token cross-entropy (captioning, language modelling): mean over the positions whose target is not
 * {@code ignoreId} of -log softmax(logits)[target], as PyTorch's {@code cross_entropy(..., ignore_index=pad)} with
 * mean reduction. Callers shift: logits at position t predict the target at t + 1.
 */
public final class NextToken {
    private NextToken() {}

    /**
     * @param logits  [N, L, V]
     * @param targets [N, L] int64 token ids
     * @param ignoreId the padding id whose positions carry no loss
     * @throws IllegalArgumentException if every target is padding (the mean is undefined)
     */
    public static NDArray loss(NDArray logits, NDArray targets, long ignoreId) {
        if (logits.getShape().dimension() != 3 || targets.getShape().dimension() != 2
                || logits.getShape().get(0) != targets.getShape().get(0)
                || logits.getShape().get(1) != targets.getShape().get(1)) {
            throw new IllegalArgumentException("next-token loss needs logits [N, L, V] and targets [N, L], got "
                    + logits.getShape() + " and " + targets.getShape());
        }
        NDArray keep = targets.neq(ignoreId).toType(DataType.FLOAT32, false); // [N, L], no gradient needed
        float count = keep.sum().getFloat();
        if (count == 0) {
            throw new IllegalArgumentException("next-token loss: every target is padding (id " + ignoreId + ")");
        }
        // padding targets are replaced by 0 for the gather, then weighted out
        NDArray safe = targets.mul(keep.toType(DataType.INT64, false));
        NDArray picked = logits.logSoftmax(-1).gather(safe.expandDims(-1), -1).squeeze(-1); // [N, L]
        return org.vlm4j.nn.Scalars.div(picked.mul(keep).sum().neg(), count);
    }
}
