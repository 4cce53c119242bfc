package org.vlm4j.nn;

import ai.djl.ndarray.NDArray;

/** y = x W^T + b with W stored [out, in], as PyTorch's Linear (one fused torch.linear call). */
public final class Linear extends Module {
    private final Param weight;
    private final Param bias;

    /** Weights ~ N(0, in^-1/2): OpenCLIP's rule for attention inputs and the tower projections. */
    public Linear(Init init, long in, long out, boolean bias) {
        this(init, in, out, bias, 1 / Math.sqrt(in));
    }

    public Linear(Init init, long in, long out, boolean bias, double std) {
        this.weight = param("weight", init.normal(std, out, in));
        this.bias = bias ? param("bias", init.zeros(out)) : null;
    }

    public NDArray forward(NDArray x) {
        return bias == null
                ? ai.djl.nn.core.Linear.linear(x, weight.array()).singletonOrThrow()
                : ai.djl.nn.core.Linear.linear(x, weight.array(), bias.array()).singletonOrThrow();
    }

    public Param weight() {
        return weight;
    }
}
