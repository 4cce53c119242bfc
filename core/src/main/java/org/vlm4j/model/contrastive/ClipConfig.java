package org.vlm4j.model.contrastive;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.vlm4j.image.ImagePreprocessor.PreprocessConfig;
import org.vlm4j.nn.TextConfig;
import org.vlm4j.nn.VisionConfig;

/**
 * A two-tower contrastive model: CLIP (InfoNCE) or SigLIP (sigmoid loss, learned logit bias).
 * {@code logitBiasInit} is null for models without a bias.
 */
public record ClipConfig(
        String family,
        @JsonProperty("embed_dim") int embedDim,
        VisionConfig vision,
        TextConfig text,
        @JsonProperty("logit_scale_init") float logitScaleInit,
        @JsonProperty("logit_bias_init") Float logitBiasInit,
        PreprocessConfig preprocess) {

    public ClipConfig {
        if (!family.equals(Clip.FAMILY) && !family.equals(SigLip.FAMILY)) {
            throw new IllegalArgumentException("family must be clip or siglip, got '" + family + "'");
        }
        if (family.equals(SigLip.FAMILY) && logitBiasInit == null) {
            throw new IllegalArgumentException("a siglip model needs logit_bias_init");
        }
        if (preprocess.size() != vision.imageSize()) {
            throw new IllegalArgumentException("preprocess size " + preprocess.size() + " differs from the vision image_size "
                    + vision.imageSize());
        }
        int v = vision.outputDim() > 0 ? vision.outputDim() : vision.width();
        int t = text.outputDim() > 0 ? text.outputDim() : text.width();
        if (v != embedDim || t != embedDim) {
            throw new IllegalArgumentException("towers output " + v + " (vision) and " + t + " (text) but embed_dim is "
                    + embedDim);
        }
    }

    /** The same architecture with OpenAI CLIP's preprocessing at the vision tower's size. */
    public static PreprocessConfig clipPreprocess(VisionConfig vision) {
        return PreprocessConfig.openaiClip(vision.imageSize());
    }
}
