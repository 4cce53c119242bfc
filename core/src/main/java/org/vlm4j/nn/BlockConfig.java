package org.vlm4j.nn;

/**
 * Everything a pre-LN transformer block needs. {@code crossAttention} adds a cross-attention sub-layer
 * (decoders attending to image tokens); {@code contextDim} is the width of what it attends to. The Llama-family
 * options: {@code kvHeads} &lt; heads is grouped-query attention (each key/value head serves heads / kvHeads query
 * heads), {@code rmsNorm} swaps LayerNorm for RMSNorm, {@code ropeTheta} &gt; 0 rotates self-attention queries and
 * keys (RoPE with that base), {@code linearBias} false drops the biases of the attention output and the MLP.
 * {@code normPlacement} is where the block's norms sit ({@link #PRE_NORM}, the default, or {@link #CHAMELEON_NORM}).
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
        boolean linearBias,
        String normPlacement) {

    /** x + f(norm(x)): GPT-2, CLIP, every block before this option. */
    public static final String PRE_NORM = "pre";
    /**
     * x + norm(f(x)): the Swin-v2 "res-post-norm" order that Chameleon (2024, section 2.3) uses with QK-norm to keep
     * a mixed-modal decoder's norms from growing: h = x + norm(attn(x)); out = h + norm(ffn(h)).
     */
    public static final String CHAMELEON_NORM = "chameleon";

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
        checkNormPlacement(normPlacement);
    }

    /** The Llama-family options, pre-LN. */
    public BlockConfig(int width, int heads, int mlpHidden, Activation activation, float lnEps, boolean qkvBias,
                       boolean qkNorm, float layerScaleInit, boolean crossAttention, int contextDim, int kvHeads,
                       boolean rmsNorm, float ropeTheta, boolean linearBias) {
        this(width, heads, mlpHidden, activation, lnEps, qkvBias, qkNorm, layerScaleInit, crossAttention, contextDim,
                kvHeads, rmsNorm, ropeTheta, linearBias, PRE_NORM);
    }

    /** A LayerNorm block with that norm placement (Chameleon's or pre-LN). */
    public BlockConfig(int width, int heads, int mlpHidden, Activation activation, float lnEps, boolean qkvBias,
                       boolean qkNorm, float layerScaleInit, boolean crossAttention, int contextDim,
                       String normPlacement) {
        this(width, heads, mlpHidden, activation, lnEps, qkvBias, qkNorm, layerScaleInit, crossAttention, contextDim,
                heads, false, 0f, true, normPlacement);
    }

    /** Without the Llama-family options: every head its own keys and values, LayerNorm, no RoPE, biased layers. */
    public BlockConfig(int width, int heads, int mlpHidden, Activation activation, float lnEps, boolean qkvBias,
                       boolean qkNorm, float layerScaleInit, boolean crossAttention, int contextDim) {
        this(width, heads, mlpHidden, activation, lnEps, qkvBias, qkNorm, layerScaleInit, crossAttention, contextDim,
                heads, false, 0f, true, PRE_NORM);
    }

    /** A plain encoder block: biased QKV, no QK-norm, no LayerScale, no cross-attention. */
    public static BlockConfig encoder(int width, int heads, int mlpHidden, Activation act, float lnEps) {
        return new BlockConfig(width, heads, mlpHidden, act, lnEps, true, false, 0f, false, 0);
    }

    /** The placement if it is a known one, else an error naming both. */
    public static String checkNormPlacement(String placement) {
        if (!PRE_NORM.equals(placement) && !CHAMELEON_NORM.equals(placement)) {
            throw new IllegalArgumentException("norm_placement must be '" + PRE_NORM + "' or '" + CHAMELEON_NORM
                    + "', got '" + placement + "'");
        }
        return placement;
    }

    public boolean chameleonNorm() {
        return CHAMELEON_NORM.equals(normPlacement);
    }
}
