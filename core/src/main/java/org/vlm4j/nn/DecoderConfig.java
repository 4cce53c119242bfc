package org.vlm4j.nn;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.vlm4j.io.JsonDefault;

/**
 * A causal text decoder: token and learned positional embeddings, pre-LN blocks (optionally cross-attending to a
 * context of width {@code contextDim}, e.g. image tokens), a final LayerNorm and a language-model head (tied to the
 * token embedding when {@code tiedHead}).
 *
 * <p>Llama-family options (defaults keep GPT-2's shape and older config.json files loading): {@code kv_heads}
 * (grouped-query attention; 0 = heads), {@code norm} ("layer" or "rms"), {@code positions} ("learned" or "rope",
 * rotary embeddings of base {@code rope_theta}, then no positional table), {@code qkv_bias} and {@code linear_bias}
 * (biases of the QKV projection, and of the attention output and MLP). SwiGLU is {@code activation} "SWIGLU". {@code qkNorm} and {@code normPlacement} ({@link BlockConfig#PRE_NORM} or
 * {@link BlockConfig#CHAMELEON_NORM}) came later too: configs without them load as pre-LN without QK-norm.
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
        @JsonProperty("kv_heads") @JsonDefault("0") int kvHeads,
        @JsonDefault("\"layer\"") String norm,
        @JsonDefault("\"learned\"") String positions,
        @JsonProperty("rope_theta") @JsonDefault("10000") float ropeTheta,
        @JsonProperty("qkv_bias") @JsonDefault("true") boolean qkvBias,
        @JsonProperty("linear_bias") @JsonDefault("true") boolean linearBias,
        @JsonProperty("qk_norm") @JsonDefault("false") boolean qkNorm,
        @JsonProperty("norm_placement") @JsonDefault("\"pre\"") String normPlacement) {

    /** The Llama-family options, pre-LN without QK-norm. */
    public DecoderConfig(int vocabSize, int contextLength, int width, int layers, int heads, int mlpHidden,
                         Activation activation, float lnEps, boolean crossAttention, int contextDim, boolean tiedHead,
                         int kvHeads, String norm, String positions, float ropeTheta, boolean qkvBias,
                         boolean linearBias) {
        this(vocabSize, contextLength, width, layers, heads, mlpHidden, activation, lnEps, crossAttention, contextDim,
                tiedHead, kvHeads, norm, positions, ropeTheta, qkvBias, linearBias, false, BlockConfig.PRE_NORM);
    }

    /** GPT-2's shape with QK-norm and a norm placement (the early-fusion model's). */
    public DecoderConfig(int vocabSize, int contextLength, int width, int layers, int heads, int mlpHidden,
                         Activation activation, float lnEps, boolean crossAttention, int contextDim, boolean tiedHead,
                         boolean qkNorm, String normPlacement) {
        this(vocabSize, contextLength, width, layers, heads, mlpHidden, activation, lnEps, crossAttention, contextDim,
                tiedHead, 0, "layer", "learned", 10000f, true, true, qkNorm, normPlacement);
    }

    /** The same decoder with QK-norm and Chameleon's norm placement. */
    public DecoderConfig withChameleonNorm() {
        return new DecoderConfig(vocabSize, contextLength, width, layers, heads, mlpHidden, activation, lnEps,
                crossAttention, contextDim, tiedHead, kvHeads, norm, positions, ropeTheta, qkvBias, linearBias, true,
                BlockConfig.CHAMELEON_NORM);
    }

    public DecoderConfig {
        if (vocabSize <= 0 || contextLength <= 0 || layers <= 0) {
            throw new IllegalArgumentException("decoder vocab_size, context_length and layers must be positive");
        }
        if (kvHeads < 0 || (kvHeads > 0 && heads % kvHeads != 0)) {
            throw new IllegalArgumentException("decoder kv heads " + kvHeads + " must divide heads " + heads
                    + " (0: as many as heads)");
        }
        if (!"layer".equals(norm) && !"rms".equals(norm)) {
            throw new IllegalArgumentException("decoder norm must be layer or rms, got '" + norm + "'");
        }
        if (!"learned".equals(positions) && !"rope".equals(positions)) {
            throw new IllegalArgumentException("decoder positions must be learned or rope, got '" + positions + "'");
        }
        if ("rope".equals(positions) && !(ropeTheta > 0)) {
            throw new IllegalArgumentException("decoder rope_theta must be positive, got " + ropeTheta);
        }
        BlockConfig.checkNormPlacement(normPlacement);
    }

    /** GPT-2's shape: learned positions, LayerNorm, full multi-head attention, biased layers. */
    public DecoderConfig(int vocabSize, int contextLength, int width, int layers, int heads, int mlpHidden,
                         Activation activation, float lnEps, boolean crossAttention, int contextDim, boolean tiedHead) {
        this(vocabSize, contextLength, width, layers, heads, mlpHidden, activation, lnEps, crossAttention, contextDim,
                tiedHead, 0, "layer", "learned", 10000f, true, true, false, BlockConfig.PRE_NORM);
    }

    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean rope() {
        return "rope".equals(positions);
    }

    public BlockConfig block() {
        return new BlockConfig(width, heads, mlpHidden, activation, lnEps, qkvBias, qkNorm, 0f, crossAttention,
                crossAttention ? contextDim : 0, kvHeads == 0 ? heads : kvHeads, "rms".equals(norm),
                rope() ? ropeTheta : 0f, linearBias, normPlacement);
    }
}
