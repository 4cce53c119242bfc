package org.vlm4j.nn;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A causal text decoder: token and learned positional embeddings, pre-LN blocks (optionally cross-attending to a
 * context of width {@code contextDim}, e.g. image tokens), a final LayerNorm and a language-model head (tied to the
 * token embedding when {@code tiedHead}).
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
        @JsonProperty("tied_head") boolean tiedHead) {

    public DecoderConfig {
        if (vocabSize <= 0 || contextLength <= 0 || layers <= 0) {
            throw new IllegalArgumentException("decoder vocab_size, context_length and layers must be positive");
        }
    }

    public BlockConfig block() {
        return new BlockConfig(width, heads, mlpHidden, activation, lnEps, true, false, 0f, crossAttention,
                crossAttention ? contextDim : 0);
    }
}
