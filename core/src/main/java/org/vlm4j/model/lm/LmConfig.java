package org.vlm4j.model.lm;

import org.vlm4j.nn.DecoderConfig;

/**
 * A causal language model ({@link LanguageModel}): the shared {@link org.vlm4j.nn.TextDecoder} without
 * cross-attention. GPT-2 is the decoder's default shape (learned positions, LayerNorm, GELU, tied embeddings).
 *
 * @param family  always {@value LanguageModel#FAMILY}
 * @param decoder the network; {@code context_length} is the longest sequence (prompt + generated tokens)
 */
public record LmConfig(String family, DecoderConfig decoder) {
    public LmConfig {
        if (!LanguageModel.FAMILY.equals(family)) {
            throw new IllegalArgumentException("family must be " + LanguageModel.FAMILY + ", got '" + family + "'");
        }
        if (decoder == null) {
            throw new IllegalArgumentException("a language model needs a 'decoder'");
        }
        if (decoder.crossAttention()) {
            throw new IllegalArgumentException("decoder.cross_attention must be false: a language model reads text"
                    + " only (bridges feed images as prefix embeddings)");
        }
    }

    public LmConfig(DecoderConfig decoder) {
        this(LanguageModel.FAMILY, decoder);
    }
}
