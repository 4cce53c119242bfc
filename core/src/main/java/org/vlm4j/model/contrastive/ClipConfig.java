package org.vlm4j.model.contrastive;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.vlm4j.io.JsonDefault;
import org.vlm4j.image.ImagePreprocessor.PreprocessConfig;
import org.vlm4j.nn.TextConfig;
import org.vlm4j.nn.VisionConfig;

/**
 * A two-tower contrastive model: CLIP (InfoNCE) or SigLIP (sigmoid loss, learned logit bias), or Llip (the same
 * towers with caption-conditioned pooling, {@code llip} set; the sigmoid loss when it has a bias, else InfoNCE).
 * {@code logitBiasInit} is null for models without a bias; {@code llip} is null for every family but Llip.
 */
public record ClipConfig(
        String family,
        @JsonProperty("embed_dim") int embedDim,
        VisionConfig vision,
        TextConfig text,
        @JsonProperty("logit_scale_init") float logitScaleInit,
        @JsonProperty("logit_bias_init") Float logitBiasInit,
        PreprocessConfig preprocess,
        @JsonProperty("llip") @JsonInclude(JsonInclude.Include.NON_NULL) @JsonDefault("null") LlipHead llip) {

    public ClipConfig {
        if (!family.equals(Clip.FAMILY) && !family.equals(SigLip.FAMILY) && !family.equals(Llip.FAMILY)) {
            throw new IllegalArgumentException("family must be clip, siglip or llip, got '" + family + "'");
        }
        if (family.equals(SigLip.FAMILY) && logitBiasInit == null) {
            throw new IllegalArgumentException("a siglip model needs logit_bias_init");
        }
        if (family.equals(Llip.FAMILY) != (llip != null)) {
            throw new IllegalArgumentException("the llip head is set exactly for family 'llip' (family '" + family + "')");
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

    /** A CLIP or SigLIP config (no Llip head). */
    public ClipConfig(String family, int embedDim, VisionConfig vision, TextConfig text, float logitScaleInit,
                      Float logitBiasInit, PreprocessConfig preprocess) {
        this(family, embedDim, vision, text, logitScaleInit, logitBiasInit, preprocess, null);
    }

    /** Llip's caption-conditioned pooling: K mixture tokens, and the heads of the cross-attention that mixes them. */
    public record LlipHead(@JsonProperty("mixture_tokens") int mixtureTokens, int heads) {
        public LlipHead {
            if (mixtureTokens < 1 || heads < 1) {
                throw new IllegalArgumentException("llip needs mixture_tokens >= 1 and heads >= 1, got " + mixtureTokens
                        + " and " + heads);
            }
        }
    }

    /** The same architecture with OpenAI CLIP's preprocessing at the vision tower's size. */
    public static PreprocessConfig clipPreprocess(VisionConfig vision) {
        return PreprocessConfig.openaiClip(vision.imageSize());
    }
}
