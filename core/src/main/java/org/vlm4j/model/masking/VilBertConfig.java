package org.vlm4j.model.masking;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.vlm4j.image.ImagePreprocessor.PreprocessConfig;
import org.vlm4j.nn.BlockConfig;
import org.vlm4j.nn.TextConfig;
import org.vlm4j.nn.VisionConfig;

/**
 * ViLBERT (Lu et al. 2019), two streams: a text stream (its own layers, then co-attention layers) and an image stream
 * (a ViT, then co-attention layers); in each co-attention layer the text stream's queries attend to the image
 * stream's keys and values and the other way round. MLM + masked patch modelling + ITM.
 *
 * @param vision         the image stream's own layers: class token ([IMG]) first, pool "tok", output_dim 0
 * @param text           the text stream's own layers: not causal, pool "first" ([CLS]), output_dim 0; vocab_size
 *                       is the tokenizer's ids + 2 ([MASK], [PAD])
 * @param coLayers       co-attention layers (each a text block and an image block, cross-attending to each other)
 * @param imageMaskRatio share of patches masked for masked patch modelling (pixel targets, MAE style)
 */
public record VilBertConfig(
        String family,
        VisionConfig vision,
        TextConfig text,
        @JsonProperty("co_layers") int coLayers,
        @JsonProperty("mask_prob") float maskProb,
        @JsonProperty("image_mask_ratio") float imageMaskRatio,
        @JsonProperty("mlm_weight") float mlmWeight,
        @JsonProperty("mim_weight") float mimWeight,
        @JsonProperty("itm_weight") float itmWeight,
        PreprocessConfig preprocess) {

    public VilBertConfig {
        if (!VilBert.FAMILY.equals(family)) {
            throw new IllegalArgumentException("family must be " + VilBert.FAMILY + ", got '" + family + "'");
        }
        MaskingChecks.common(vision, text.vocabSize() - 2, text.contextLength(), preprocess, maskProb);
        if (!vision.classToken()) {
            throw new IllegalArgumentException("vision.class_token must be true: it is ViLBERT's [IMG] token");
        }
        if (text.causal() || !text.pool().equals("first") || text.outputDim() != 0) {
            throw new IllegalArgumentException("text must be bidirectional (causal false), pool 'first' and"
                    + " output_dim 0");
        }
        if (coLayers <= 0) {
            throw new IllegalArgumentException("co_layers must be positive, got " + coLayers);
        }
        if (!(imageMaskRatio > 0 && imageMaskRatio < 1)) {
            throw new IllegalArgumentException("image_mask_ratio must be in (0, 1), got " + imageMaskRatio);
        }
        MaskingChecks.weights("mlm_weight", mlmWeight, "mim_weight", mimWeight, "itm_weight", itmWeight);
    }

    /** A text-stream co-attention block: self-attention, cross-attention to the image stream, MLP. */
    public BlockConfig textCoBlock() {
        TextConfig t = text;
        return new BlockConfig(t.width(), t.heads(), t.mlpHidden(), t.activation(), t.lnEps(), true, false, 0f, true,
                vision.width());
    }

    public BlockConfig imageCoBlock() {
        VisionConfig v = vision;
        return new BlockConfig(v.width(), v.heads(), v.mlpHidden(), v.activation(), v.lnEps(), true, false, 0f, true,
                text.width());
    }
}
