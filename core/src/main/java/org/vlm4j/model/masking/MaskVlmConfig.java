package org.vlm4j.model.masking;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.vlm4j.image.ImagePreprocessor.PreprocessConfig;
import org.vlm4j.nn.BlockConfig;
import org.vlm4j.nn.TextConfig;
import org.vlm4j.nn.VisionConfig;

/**
 * MaskVLM (Kwon et al. 2023, "Masked vision and language modeling for multi-modal representation learning"): an image
 * encoder and a text encoder, and two cross-modality encoders; masking happens in pixel space and token space, and
 * each modality is reconstructed with the help of the other: masked text from the text cross-encoder reading the
 * (unmasked) image encoder's output, masked pixels from the image cross-encoder reading the (unmasked) text encoder's
 * output. Plus InfoNCE on the unimodal [CLS] projections and ITM on the text cross-encoder's [CLS], hard negatives
 * from the contrastive similarities, as the paper.
 *
 * @param crossLayers     layers of each cross-modality encoder (self-attention, cross-attention, MLP)
 * @param imageMaskRatio  share of patches blanked in pixel space (set to the normalised mean, i.e. 0)
 */
public record MaskVlmConfig(
        String family,
        VisionConfig vision,
        TextConfig text,
        @JsonProperty("embed_dim") int embedDim,
        @JsonProperty("cross_layers") int crossLayers,
        @JsonProperty("mask_prob") float maskProb,
        @JsonProperty("image_mask_ratio") float imageMaskRatio,
        @JsonProperty("logit_scale_init") float logitScaleInit,
        @JsonProperty("mim_weight") float mimWeight,
        @JsonProperty("mlm_weight") float mlmWeight,
        @JsonProperty("itm_weight") float itmWeight,
        @JsonProperty("contrastive_weight") float contrastiveWeight,
        PreprocessConfig preprocess) {

    public MaskVlmConfig {
        if (!MaskVlm.FAMILY.equals(family)) {
            throw new IllegalArgumentException("family must be " + MaskVlm.FAMILY + ", got '" + family + "'");
        }
        MaskingChecks.common(vision, text.vocabSize() - 2, text.contextLength(), preprocess, maskProb);
        if (!vision.classToken()) {
            throw new IllegalArgumentException("vision.class_token must be true");
        }
        if (text.causal() || !text.pool().equals("first") || text.outputDim() != 0) {
            throw new IllegalArgumentException("text must be bidirectional (causal false), pool 'first' and"
                    + " output_dim 0");
        }
        if (crossLayers <= 0 || embedDim <= 0) {
            throw new IllegalArgumentException("cross_layers and embed_dim must be positive, got " + crossLayers
                    + " and " + embedDim);
        }
        if (!(imageMaskRatio > 0 && imageMaskRatio < 1)) {
            throw new IllegalArgumentException("image_mask_ratio must be in (0, 1), got " + imageMaskRatio);
        }
        MaskingChecks.weights("mim_weight", mimWeight, "mlm_weight", mlmWeight, "itm_weight", itmWeight,
                "contrastive_weight", contrastiveWeight);
    }

    /** The image cross-encoder's block: image queries, text keys and values. */
    public BlockConfig imageCrossBlock() {
        VisionConfig v = vision;
        return new BlockConfig(v.width(), v.heads(), v.mlpHidden(), v.activation(), v.lnEps(), true, false, 0f, true,
                text.width());
    }

    public BlockConfig textCrossBlock() {
        TextConfig t = text;
        return new BlockConfig(t.width(), t.heads(), t.mlpHidden(), t.activation(), t.lnEps(), true, false, 0f, true,
                vision.width());
    }
}
