package org.vlm4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** LayerNorm over the last dimension (one fused torch.layer_norm call). */
public final class LayerNorm extends Module implements Norm {
    private final Param weight;
    private final Param bias;
    private final Shape normalized;
    private final float eps;

    public LayerNorm(Init init, long dim, float eps) {
        this.weight = param("weight", init.ones(dim));
        this.bias = param("bias", init.zeros(dim));
        this.normalized = new Shape(dim);
        this.eps = eps;
    }

    public NDArray forward(NDArray x) {
        return ai.djl.nn.norm.LayerNorm.layerNorm(x, normalized, weight.array(), bias.array(), eps).singletonOrThrow();
    }
}
