package org.vlm4j.model.masking;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.vlm4j.image.ImagePreprocessor.PreprocessConfig;
import org.vlm4j.nn.Activation;
import org.vlm4j.nn.BlockConfig;
import org.vlm4j.nn.TextConfig;
import org.vlm4j.nn.VisionConfig;

/**
 * FLAVA (Singh et al. 2022): an image encoder (ViT, its class token is [CLS_I]), a text encoder (bidirectional, its
 * first token [CLS_T]), and a multimodal encoder over both hidden-state sequences (linear projections in, its own
 * [CLS_M] first). Each loss term has its weight; a weight of 0 switches the term off (it is then not computed).
 *
 * @param vision            the image encoder: class token, pool "tok", output_dim 0 (FLAVA projects itself)
 * @param text              the text encoder: not causal, pool "first", output_dim 0; its vocab_size is the
 *                          tokenizer's ids + 2 ([MASK], [PAD])
 * @param embedDim          the contrastive space
 * @param mmWidth           width of the multimodal encoder ({@code mm_layers}, {@code mm_heads}, {@code mm_mlp_hidden})
 * @param imageMaskRatio    share of patches masked for MIM and MMM (BEiT / FLAVA: about 0.4)
 * @param codebookSize      0: MIM regresses per-patch-normalised pixels (MAE); else it predicts the codes of an
 *                          image tokenizer of that codebook ({@link Flava#setImageTokenizer}, whose grid must be the
 *                          ViT's)
 * @param mimWeight         unimodal masked image modelling
 * @param mlmWeight         unimodal masked language modelling
 * @param mmmWeight         multimodal masked modelling (image and text parts, weighted alike)
 * @param itmWeight         image-text matching on [CLS_M], hard negatives from the contrastive similarities
 * @param contrastiveWeight global InfoNCE of [CLS_I] and [CLS_T] projections, logit scale clamped to [0, ln 100]
 */
public record FlavaConfig(
        String family,
        VisionConfig vision,
        TextConfig text,
        @JsonProperty("embed_dim") int embedDim,
        @JsonProperty("mm_width") int mmWidth,
        @JsonProperty("mm_layers") int mmLayers,
        @JsonProperty("mm_heads") int mmHeads,
        @JsonProperty("mm_mlp_hidden") int mmMlpHidden,
        @JsonProperty("mask_prob") float maskProb,
        @JsonProperty("image_mask_ratio") float imageMaskRatio,
        @JsonProperty("codebook_size") int codebookSize,
        @JsonProperty("logit_scale_init") float logitScaleInit,
        @JsonProperty("mim_weight") float mimWeight,
        @JsonProperty("mlm_weight") float mlmWeight,
        @JsonProperty("mmm_weight") float mmmWeight,
        @JsonProperty("itm_weight") float itmWeight,
        @JsonProperty("contrastive_weight") float contrastiveWeight,
        PreprocessConfig preprocess) {

    public FlavaConfig {
        if (!Flava.FAMILY.equals(family)) {
            throw new IllegalArgumentException("family must be " + Flava.FAMILY + ", got '" + family + "'");
        }
        MaskingChecks.common(vision, text.vocabSize() - 2, text.contextLength(), preprocess, maskProb);
        if (!vision.classToken()) {
            throw new IllegalArgumentException("vision.class_token must be true: it is FLAVA's [CLS_I]");
        }
        if (text.causal() || !text.pool().equals("first") || text.outputDim() != 0) {
            throw new IllegalArgumentException("text must be bidirectional (causal false), pool 'first' ([CLS_T]) and"
                    + " output_dim 0; got causal " + text.causal() + ", pool '" + text.pool() + "', output_dim "
                    + text.outputDim());
        }
        if (!(imageMaskRatio > 0 && imageMaskRatio < 1)) {
            throw new IllegalArgumentException("image_mask_ratio must be in (0, 1), got " + imageMaskRatio);
        }
        if (codebookSize < 0 || codebookSize == 1) {
            throw new IllegalArgumentException("codebook_size must be 0 (pixel targets) or at least 2, got "
                    + codebookSize);
        }
        if (embedDim <= 0 || mmLayers <= 0) {
            throw new IllegalArgumentException("embed_dim and mm_layers must be positive, got " + embedDim + " and "
                    + mmLayers);
        }
        new BlockConfig(mmWidth, mmHeads, mmMlpHidden, vision.activation(), vision.lnEps(), true, false, 0f, false, 0);
        MaskingChecks.weights("mim_weight", mimWeight, "mlm_weight", mlmWeight, "mmm_weight", mmmWeight,
                "itm_weight", itmWeight, "contrastive_weight", contrastiveWeight);
    }

    public BlockConfig mmBlock() {
        return BlockConfig.encoder(mmWidth, mmHeads, mmMlpHidden, vision.activation(), vision.lnEps());
    }

    /** The same with other loss weights (ablations: a weight of 0 switches a term off). */
    public FlavaConfig withWeights(float mim, float mlm, float mmm, float itm, float contrastive) {
        return new FlavaConfig(family, vision, text, embedDim, mmWidth, mmLayers, mmHeads, mmMlpHidden, maskProb,
                imageMaskRatio, codebookSize, logitScaleInit, mim, mlm, mmm, itm, contrastive, preprocess);
    }

    public FlavaConfig withCodebook(int size) {
        return new FlavaConfig(family, vision, text, embedDim, mmWidth, mmLayers, mmHeads, mmMlpHidden, maskProb,
                imageMaskRatio, size, logitScaleInit, mimWeight, mlmWeight, mmmWeight, itmWeight, contrastiveWeight,
                preprocess);
    }

    /** Activation of the heads. */
    Activation activation() {
        return vision.activation();
    }
}
