package org.vlm4j.nn;

import ai.djl.ndarray.NDArray;

/** Per-channel learned residual scale (CaiT / OpenCLIP ls_init_value). */
public final class LayerScale extends Module {
    private final Param gamma;

    public LayerScale(Init init, long dim, float initValue) {
        this.gamma = param("gamma", init.constant(initValue, dim));
    }

    public NDArray forward(NDArray x) {
        return x.mul(gamma.array());
    }
}
