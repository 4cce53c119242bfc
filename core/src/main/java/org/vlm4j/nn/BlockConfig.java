package org.vlm4j.nn;

/**
 * Everything a pre-LN transformer block needs. {@code crossAttention} adds a cross-attention sub-layer
 * (decoders attending to image tokens); {@code contextDim} is the width of what it attends to. The Llama-family
 * options: {@code kvHeads} &lt; heads is grouped-query attention (each key/value head serves heads / kvHeads query
 * heads), {@code rmsNorm} swaps LayerNorm for RMSNorm, {@code ropeTheta} &gt; 0 rotates self-attention queries and
 * keys (RoPE with that base), {@code linearBias} false drops the biases of the attention output and the MLP.
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
        int contextDim,
        int kvHeads,
        boolean rmsNorm,
        float ropeTheta,
        boolean linearBias) {

    public BlockConfig {
        if (width <= 0 || heads <= 0 || width % heads != 0) {
            throw new IllegalArgumentException("width " + width + " must be a positive multiple of heads " + heads);
        }
        if (mlpHidden <= 0) {
            throw new IllegalArgumentException("mlpHidden must be positive, got " + mlpHidden);
        }
        if (kvHeads <= 0 || heads % kvHeads != 0) {
            throw new IllegalArgumentException("kv heads " + kvHeads + " must be a positive divisor of heads " + heads);
        }
        if (ropeTheta < 0 || (ropeTheta > 0 && (width / heads) % 2 != 0)) {
            throw new IllegalArgumentException("rope theta must be >= 0 (0: no RoPE), with an even head dimension;"
                    + " got " + ropeTheta + " and " + width / heads);
        }
    }

    /** Without the Llama-family options: every head its own keys and values, LayerNorm, no RoPE, biased layers. */
    public BlockConfig(int width, int heads, int mlpHidden, Activation activation, float lnEps, boolean qkvBias,
                       boolean qkNorm, float layerScaleInit, boolean crossAttention, int contextDim) {
        this(width, heads, mlpHidden, activation, lnEps, qkvBias, qkNorm, layerScaleInit, crossAttention, contextDim,
                heads, false, 0f, true);
    }

    /** A plain encoder block: biased QKV, no QK-norm, no LayerScale, no cross-attention. */
    public static BlockConfig encoder(int width, int heads, int mlpHidden, Activation act, float lnEps) {
        return new BlockConfig(width, heads, mlpHidden, act, lnEps, true, false, 0f, false, 0);
    }
}
