package org.vlm4j.nn;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.vlm4j.io.JsonDefault;

/**
 * A causal text decoder: token and learned positional embeddings, pre-LN blocks (optionally cross-attending to a
 * context of width {@code contextDim}, e.g. image tokens), a final LayerNorm and a language-model head (tied to the
 * token embedding when {@code tiedHead}). {@code qkNorm} and {@code normPlacement} ({@link BlockConfig#PRE_NORM} or
 * {@link BlockConfig#CHAMELEON_NORM}) came later: configs without them load as pre-LN without QK-norm.
 */
public record DecoderConfig(
        @JsonProperty("vocab_size") int vocabSize,
        @JsonProperty("context_length") int contextLength,
        int width,
        int layers,
        int heads,
        @JsonProperty("mlp_hidden") int mlpHidden,
        Activation activation,
        @JsonProperty("ln_eps") float lnEps,
        @JsonProperty("cross_attention") boolean crossAttention,
        @JsonProperty("context_dim") int contextDim,
        @JsonProperty("tied_head") boolean tiedHead,
        @JsonProperty("qk_norm") @JsonDefault("false") boolean qkNorm,
        @JsonProperty("norm_placement") @JsonDefault("\"pre\"") String normPlacement) {

    /** A pre-LN decoder without QK-norm. */
    public DecoderConfig(int vocabSize, int contextLength, int width, int layers, int heads, int mlpHidden,
                         Activation activation, float lnEps, boolean crossAttention, int contextDim, boolean tiedHead) {
        this(vocabSize, contextLength, width, layers, heads, mlpHidden, activation, lnEps, crossAttention, contextDim,
                tiedHead, false, BlockConfig.PRE_NORM);
    }

    /** The same decoder with QK-norm and Chameleon's norm placement. */
    public DecoderConfig withChameleonNorm() {
        return new DecoderConfig(vocabSize, contextLength, width, layers, heads, mlpHidden, activation, lnEps,
                crossAttention, contextDim, tiedHead, true, BlockConfig.CHAMELEON_NORM);
    }

    public DecoderConfig {
        if (vocabSize <= 0 || contextLength <= 0 || layers <= 0) {
            throw new IllegalArgumentException("decoder vocab_size, context_length and layers must be positive");
        }
        BlockConfig.checkNormPlacement(normPlacement);
    }

    public BlockConfig block() {
        return new BlockConfig(width, heads, mlpHidden, activation, lnEps, true, qkNorm, 0f, crossAttention,
                crossAttention ? contextDim : 0, normPlacement);
    }
}
