package org.vlm4j.model.masking;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.vlm4j.image.ImagePreprocessor.PreprocessConfig;
import org.vlm4j.nn.Activation;
import org.vlm4j.nn.BlockConfig;
import org.vlm4j.nn.VisionConfig;

/**
 * VisualBERT (Li et al. 2019), single stream: text tokens and image patch tokens concatenated, with segment
 * embeddings, into one bidirectional transformer; MLM + ITM.
 *
 * @param vision        the ViT stem giving the patch tokens (its pooling and projection are unused: output_dim 0)
 * @param vocabSize     the text tokenizer's ids; the token embedding has two more ([MASK], [PAD])
 * @param contextLength text tokens per row, [CLS] and [SEP] included
 * @param width         width of the fused transformer (image tokens are projected to it)
 * @param maskProb      MLM selection probability (BERT: 0.15)
 * @param mlmWeight     weight of the MLM loss term
 * @param itmWeight     weight of the ITM loss term
 */
public record VisualBertConfig(
        String family,
        VisionConfig vision,
        @JsonProperty("vocab_size") int vocabSize,
        @JsonProperty("context_length") int contextLength,
        int width,
        int layers,
        int heads,
        @JsonProperty("mlp_hidden") int mlpHidden,
        Activation activation,
        @JsonProperty("ln_eps") float lnEps,
        @JsonProperty("mask_prob") float maskProb,
        @JsonProperty("mlm_weight") float mlmWeight,
        @JsonProperty("itm_weight") float itmWeight,
        PreprocessConfig preprocess) {

    public VisualBertConfig {
        if (!VisualBert.FAMILY.equals(family)) {
            throw new IllegalArgumentException("family must be " + VisualBert.FAMILY + ", got '" + family + "'");
        }
        MaskingChecks.common(vision, vocabSize, contextLength, preprocess, maskProb);
        MaskingChecks.weights("mlm_weight", mlmWeight, "itm_weight", itmWeight);
        new BlockConfig(width, heads, mlpHidden, activation, lnEps, true, false, 0f, false, 0); // validates width/heads
        if (layers <= 0) {
            throw new IllegalArgumentException("layers must be positive, got " + layers);
        }
    }

    public BlockConfig block() {
        return BlockConfig.encoder(width, heads, mlpHidden, activation, lnEps);
    }
}
