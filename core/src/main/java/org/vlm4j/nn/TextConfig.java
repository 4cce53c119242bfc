package org.vlm4j.nn;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A text encoder: token + learned positional embeddings, blocks (causal or bidirectional), ln_final, pooling
 * ("argmax" = at the highest id, i.e. CLIP's first EOT; "last" = last position; "first"), optional projection.
 */
public record TextConfig(
        @JsonProperty("vocab_size") int vocabSize,
        @JsonProperty("context_length") int contextLength,
        int width,
        int layers,
        int heads,
        @JsonProperty("mlp_hidden") int mlpHidden,
        Activation activation,
        @JsonProperty("ln_eps") float lnEps,
        boolean causal,
        String pool,
        @JsonProperty("output_dim") int outputDim,
        @JsonProperty("proj_bias") boolean projBias,
        @JsonProperty("qk_norm") boolean qkNorm,
        @JsonProperty("layer_scale_init") float layerScaleInit) {

    public TextConfig {
        if (vocabSize <= 0 || contextLength <= 0) {
            throw new IllegalArgumentException("text vocab_size and context_length must be positive");
        }
        if (!pool.equals("argmax") && !pool.equals("last") && !pool.equals("first")) {
            throw new IllegalArgumentException("text pool must be argmax, last or first, got '" + pool + "'");
        }
    }

    public BlockConfig block() {
        return new BlockConfig(width, heads, mlpHidden, activation, lnEps, true, qkNorm, layerScaleInit, false, 0);
    }
}
