package org.vlm4j.model.backbone;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.vlm4j.image.ImagePreprocessor.PreprocessConfig;
import org.vlm4j.nn.VisionConfig;

/**
 * BLIP-2 stage 1: a frozen vision tower and a Q-Former trained with image-text contrastive, matching and
 * image-grounded generation losses (no language model).
 *
 * @param queries       learned query tokens (32 in the paper)
 * @param width         Q-Former width (also its text embedding width)
 * @param layers        Q-Former layers; cross-attention to the image every other one
 * @param contextLength text positions (start and end tokens included)
 * @param embedDim      width of the contrastive embeddings
 */
public record QFormerConfig(
        String family,
        VisionConfig vision,
        int queries,
        int width,
        int layers,
        int heads,
        @JsonProperty("vocab_size") int vocabSize,
        @JsonProperty("context_length") int contextLength,
        @JsonProperty("embed_dim") int embedDim,
        @JsonProperty("logit_scale_init") float logitScaleInit,
        PreprocessConfig preprocess) {

    public QFormerConfig {
        if (!Blip2QFormer.FAMILY.equals(family)) {
            throw new IllegalArgumentException("family must be " + Blip2QFormer.FAMILY + ", got '" + family + "'");
        }
        if (preprocess.size() != vision.imageSize()) {
            throw new IllegalArgumentException("preprocess size " + preprocess.size() + " differs from the vision"
                    + " image_size " + vision.imageSize());
        }
        if (queries <= 0 || layers <= 0 || vocabSize <= 0 || contextLength < 3 || embedDim <= 0) {
            throw new IllegalArgumentException("queries, layers, vocab_size, embed_dim must be positive and"
                    + " context_length at least 3");
        }
    }

    /** The test-size preset: 16 queries, 2 layers of width 64, context 20, embeddings of 64. */
    public static QFormerConfig tiny(int vocab) {
        VisionConfig v = Bridges.tinyVision();
        return new QFormerConfig(Blip2QFormer.FAMILY, v, 16, 64, 2, 2, Math.max(vocab, 1), 20, 64,
                (float) Math.log(1 / 0.07), PreprocessConfig.openaiClip(v.imageSize()));
    }

    /** The same Q-Former over another vision tower. */
    public QFormerConfig withVision(VisionConfig v, PreprocessConfig p) {
        return new QFormerConfig(family, v, queries, width, layers, heads, vocabSize, contextLength, embedDim,
                logitScaleInit, p);
    }
}
