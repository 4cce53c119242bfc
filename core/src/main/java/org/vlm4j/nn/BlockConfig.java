package org.vlm4j.nn;

/**
 * Everything a pre-LN transformer block needs. {@code crossAttention} adds a cross-attention sub-layer
 * (decoders attending to image tokens); {@code contextDim} is the width of what it attends to.
 */
public record BlockConfig(
        int width,
        int heads,
        int mlpHidden,
        Activation activation,
        float lnEps,
        boolean qkvBias,
        boolean qkNorm,
        float layerScaleInit,
        boolean crossAttention,
        int contextDim) {

    public BlockConfig {
        if (width <= 0 || heads <= 0 || width % heads != 0) {
            throw new IllegalArgumentException("width " + width + " must be a positive multiple of heads " + heads);
        }
        if (mlpHidden <= 0) {
            throw new IllegalArgumentException("mlpHidden must be positive, got " + mlpHidden);
        }
    }

    /** A plain encoder block: biased QKV, no QK-norm, no LayerScale, no cross-attention. */
    public static BlockConfig encoder(int width, int heads, int mlpHidden, Activation act, float lnEps) {
        return new BlockConfig(width, heads, mlpHidden, act, lnEps, true, false, 0f, false, 0);
    }
}
