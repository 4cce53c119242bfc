package org.vlm4j.model.generative;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.vlm4j.image.ImagePreprocessor.PreprocessConfig;
import org.vlm4j.nn.DecoderConfig;
import org.vlm4j.nn.TextConfig;
import org.vlm4j.nn.VisionConfig;

/**
 * CoCa (Yu et al. 2022; OpenCLIP's coca_model.py): a ViT whose tokens feed two attentional poolers (one query for
 * the contrastive embedding, {@code captionQueries} for the decoder), a causal unimodal text tower whose end-of-text
 * output is the contrastive text embedding, and a multimodal decoder cross-attending to the captioning pooler.
 *
 * @param vision            the image tower; its own pooling and projection are unused, so {@code output_dim} must be 0
 * @param text              the unimodal text tower: causal, {@code output_dim} = {@code embed_dim}
 * @param decoder           the multimodal decoder: cross-attention to a context of the vision width, the text vocabulary
 * @param captionQueries    N, the captioning pooler's queries (OpenCLIP: 256; the decoder's context length)
 * @param poolerHeads       heads of both attentional poolers
 * @param captionWeight     weight of the next-token cross-entropy (OpenCLIP's default 2.0)
 * @param contrastiveWeight weight of InfoNCE (OpenCLIP's default 1.0)
 */
public record CocaConfig(
        String family,
        @JsonProperty("embed_dim") int embedDim,
        VisionConfig vision,
        TextConfig text,
        DecoderConfig decoder,
        @JsonProperty("caption_queries") int captionQueries,
        @JsonProperty("pooler_heads") int poolerHeads,
        @JsonProperty("caption_weight") float captionWeight,
        @JsonProperty("contrastive_weight") float contrastiveWeight,
        @JsonProperty("logit_scale_init") float logitScaleInit,
        PreprocessConfig preprocess) {

    public CocaConfig {
        if (!Coca.FAMILY.equals(family)) {
            throw new IllegalArgumentException("family must be coca, got '" + family + "'");
        }
        if (preprocess.size() != vision.imageSize()) {
            throw new IllegalArgumentException("preprocess size " + preprocess.size() + " differs from the vision"
                    + " image_size " + vision.imageSize());
        }
        if (vision.outputDim() != 0) {
            throw new IllegalArgumentException("vision.output_dim must be 0: CoCa pools and projects the image tokens"
                    + " itself (got " + vision.outputDim() + ")");
        }
        int t = text.outputDim() > 0 ? text.outputDim() : text.width();
        if (t != embedDim) {
            throw new IllegalArgumentException("the text tower outputs " + t + " but embed_dim is " + embedDim);
        }
        if (!text.causal()) {
            throw new IllegalArgumentException("text.causal must be true: CoCa's unimodal text tower is a decoder");
        }
        if (!decoder.crossAttention() || decoder.contextDim() != vision.width()) {
            throw new IllegalArgumentException("decoder must cross-attend to the image tokens: cross_attention true"
                    + " and context_dim = vision.width (" + vision.width() + "), got " + decoder.crossAttention()
                    + " and " + decoder.contextDim());
        }
        if (decoder.vocabSize() != text.vocabSize()) {
            throw new IllegalArgumentException("decoder.vocab_size " + decoder.vocabSize() + " differs from"
                    + " text.vocab_size " + text.vocabSize());
        }
        if (decoder.contextLength() < text.contextLength() - 1) {
            throw new IllegalArgumentException("decoder.context_length " + decoder.contextLength() + " must be at least"
                    + " text.context_length - 1 (" + (text.contextLength() - 1) + ")");
        }
        if (captionQueries <= 0 || poolerHeads <= 0 || vision.width() % poolerHeads != 0) {
            throw new IllegalArgumentException("caption_queries and pooler_heads must be positive, pooler_heads a"
                    + " divisor of vision.width " + vision.width() + "; got " + captionQueries + " and " + poolerHeads);
        }
        if (!(captionWeight >= 0) || !(contrastiveWeight >= 0) || captionWeight + contrastiveWeight == 0) {
            throw new IllegalArgumentException("caption_weight and contrastive_weight must be >= 0, not both 0; got "
                    + captionWeight + " and " + contrastiveWeight);
        }
    }
}
