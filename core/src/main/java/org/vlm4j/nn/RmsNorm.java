package org.vlm4j.nn;

import ai.djl.ndarray.NDArray;

/** RMSNorm over the last dimension, as HF's LlamaRMSNorm: x / sqrt(mean(x^2) + eps) * weight (no bias, no centring). */
public final class RmsNorm extends Module implements Norm {
    private final Param weight;
    private final float eps;

    public RmsNorm(Init init, long dim, float eps) {
        this.weight = param("weight", init.ones(dim));
        this.eps = eps;
    }

    @Override
    public NDArray forward(NDArray x) {
        int last = x.getShape().dimension() - 1;
        NDArray rms = x.mul(x).mean(new int[] {last}, true).add(eps).sqrt(); // add's backward needs no operand
        return x.div(rms).mul(weight.array());
    }
}
