package org.vlm4j.nn;

import ai.djl.ndarray.NDArray;

/** A normalisation over the last dimension: {@link LayerNorm} (GPT-2, CLIP) or {@link RmsNorm} (Llama). */
public interface Norm {
    NDArray forward(NDArray x);

    /** A LayerNorm ({@code weight}, {@code bias}) or, with {@code rms}, an RMSNorm ({@code weight} only). */
    static Module create(Init init, long dim, float eps, boolean rms) {
        return rms ? new RmsNorm(init, dim, eps) : new LayerNorm(init, dim, eps);
    }
}
