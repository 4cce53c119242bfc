package org.vlm4j.model.generative;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.vlm4j.nn.Activation;
import org.vlm4j.nn.DecoderConfig;

/**
 * An early-fusion token model: one causal decoder over {@link FusionVocabulary} (text tokens + the codes of its
 * VQ-VAE + {@code <image>}, {@code </image>}, {@code <pad>}), with the VQ-VAE ({@code image}) frozen inside it.
 *
 * @param textVocabSize the text tokenizer's vocabulary
 * @param textContext   the most tokens of a caption, sot and eot included
 */
public record FusionConfig(
        String family,
        VqVaeConfig image,
        DecoderConfig decoder,
        @JsonProperty("text_vocab_size") int textVocabSize,
        @JsonProperty("text_context") int textContext) {

    public FusionConfig {
        if (!FusionModel.FAMILY.equals(family)) {
            throw new IllegalArgumentException("family must be " + FusionModel.FAMILY + ", got '" + family + "'");
        }
        int vocab = new FusionVocabulary(textVocabSize, image.codebookSize()).size();
        if (decoder.vocabSize() != vocab) {
            throw new IllegalArgumentException("decoder.vocab_size must be text + codes + 3 = " + vocab + ", got "
                    + decoder.vocabSize());
        }
        if (textContext < 2 || decoder.contextLength() < rowLength(image, textContext)) {
            throw new IllegalArgumentException("decoder.context_length " + decoder.contextLength() + " cannot hold a"
                    + " caption of text_context " + textContext + " and an image of " + cells(image) + " codes");
        }
        if (decoder.crossAttention()) {
            throw new IllegalArgumentException("an early-fusion decoder attends to its own sequence only (no cross_attention)");
        }
    }

    /** Rows the decoder trains on: a whole sequence (caption + image with its two markers) less one token. */
    public int rowLength() {
        return rowLength(image, textContext);
    }

    private static int rowLength(VqVaeConfig image, int textContext) {
        return textContext + cells(image) + 1;
    }

    private static int cells(VqVaeConfig image) {
        return image.gridSize() * image.gridSize();
    }

    /** For Shapes: vqvae-tiny's 8x8 codes, captions of up to 16 tokens, 4 layers of width 128 (tied head). */
    public static FusionConfig tiny(int textVocabSize) {
        VqVaeConfig image = VqVaePresets.tiny();
        int vocab = new FusionVocabulary(textVocabSize, image.codebookSize()).size();
        DecoderConfig d = new DecoderConfig(vocab, rowLength(image, 16), 128, 4, 4, 512, Activation.GELU, 1e-5f, false,
                0, true);
        return new FusionConfig(FusionModel.FAMILY, image, d, textVocabSize, 16);
    }
}
