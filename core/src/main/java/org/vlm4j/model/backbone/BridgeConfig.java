package org.vlm4j.model.backbone;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import org.vlm4j.image.ImagePreprocessor.PreprocessConfig;
import org.vlm4j.io.JsonDefault;
import org.vlm4j.model.generative.diffusion.DiffusionConfig;
import org.vlm4j.nn.DecoderConfig;
import org.vlm4j.nn.VisionConfig;

/**
 * A vision tower and a causal language model joined by a small trainable bridge (every family of this package).
 * The fields a family does not use are 0 / empty.
 *
 * @param vision           the vision tower (frozen unless {@code trainVision})
 * @param lm               the language model (always frozen): no cross-attention
 * @param prefixTokens     Frozen: image prefix tokens k; MiniGPT-v2: image tokens merged into one (4 in the paper)
 * @param queries          learned queries of the Q-Former (BLIP-2) or resampler (Qwen-VL)
 * @param bridgeWidth      width of the Q-Former / resampler
 * @param bridgeLayers     Q-Former layers (cross-attention every other one); MiniGPT-5: layers of the voken mapper
 * @param bridgeHeads      heads of the Q-Former / resampler / voken mapper
 * @param taskTokens       MiniGPT-v2's task identifiers ("caption", "vqa", ...), each a learned embedding
 * @param vokens           MiniGPT-5's generative tokens appended after the text
 * @param trainVision      train the vision tower too (Frozen); false freezes it
 * @param captionPrompt    the text between the image and a caption (may be empty)
 * @param questionTemplate the prompt of a question, with {@code {question}} where it goes
 * @param decoder          MiniGPT-5's frozen image decoder (a diffusion model, kept in the model directory's
 *                         {@code decoder/}), whose text conditioning the voken mapper learns to produce; null: none
 *                         (the mapper regresses to the vision tower's pooled embedding and no image is drawn)
 * @param trainLmLayers    train the language model's last N blocks and its final norm too (0, the default: the LM
 *                         is frozen); the token embeddings and a tied head stay frozen
 */
public record BridgeConfig(
        String family,
        VisionConfig vision,
        DecoderConfig lm,
        @JsonProperty("prefix_tokens") int prefixTokens,
        int queries,
        @JsonProperty("bridge_width") int bridgeWidth,
        @JsonProperty("bridge_layers") int bridgeLayers,
        @JsonProperty("bridge_heads") int bridgeHeads,
        @JsonProperty("task_tokens") List<String> taskTokens,
        int vokens,
        @JsonProperty("train_vision") boolean trainVision,
        @JsonProperty("caption_prompt") String captionPrompt,
        @JsonProperty("question_template") String questionTemplate,
        PreprocessConfig preprocess,
        @JsonProperty("decoder") @JsonInclude(JsonInclude.Include.NON_NULL) @JsonDefault("null")
        DiffusionConfig decoder,
        @JsonProperty("train_lm_layers") @JsonDefault("0") int trainLmLayers) {

    /** A bridge without an image decoder, over a frozen language model. */
    public BridgeConfig(String family, VisionConfig vision, DecoderConfig lm, int prefixTokens, int queries,
                        int bridgeWidth, int bridgeLayers, int bridgeHeads, List<String> taskTokens, int vokens,
                        boolean trainVision, String captionPrompt, String questionTemplate,
                        PreprocessConfig preprocess) {
        this(family, vision, lm, prefixTokens, queries, bridgeWidth, bridgeLayers, bridgeHeads, taskTokens, vokens,
                trainVision, captionPrompt, questionTemplate, preprocess, null, 0);
    }

    /** A bridge over a frozen language model. */
    public BridgeConfig(String family, VisionConfig vision, DecoderConfig lm, int prefixTokens, int queries,
                        int bridgeWidth, int bridgeLayers, int bridgeHeads, List<String> taskTokens, int vokens,
                        boolean trainVision, String captionPrompt, String questionTemplate,
                        PreprocessConfig preprocess, DiffusionConfig decoder) {
        this(family, vision, lm, prefixTokens, queries, bridgeWidth, bridgeLayers, bridgeHeads, taskTokens, vokens,
                trainVision, captionPrompt, questionTemplate, preprocess, decoder, 0);
    }

    /** A bridge without an image decoder. */
    public BridgeConfig(String family, VisionConfig vision, DecoderConfig lm, int prefixTokens, int queries,
                        int bridgeWidth, int bridgeLayers, int bridgeHeads, List<String> taskTokens, int vokens,
                        boolean trainVision, String captionPrompt, String questionTemplate,
                        PreprocessConfig preprocess, int trainLmLayers) {
        this(family, vision, lm, prefixTokens, queries, bridgeWidth, bridgeLayers, bridgeHeads, taskTokens, vokens,
                trainVision, captionPrompt, questionTemplate, preprocess, null, trainLmLayers);
    }

    public BridgeConfig {
        if (!Bridges.FAMILIES.contains(family)) {
            throw new IllegalArgumentException("family must be one of " + Bridges.FAMILIES + ", got '" + family + "'");
        }
        if (preprocess.size() != vision.imageSize()) {
            throw new IllegalArgumentException("preprocess size " + preprocess.size() + " differs from the vision"
                    + " image_size " + vision.imageSize());
        }
        if (lm.crossAttention()) {
            throw new IllegalArgumentException("lm.cross_attention must be false: a bridge feeds the language model"
                    + " through its input embeddings");
        }
        if (questionTemplate == null || !questionTemplate.contains("{question}")) {
            throw new IllegalArgumentException("question_template must contain {question}, got '" + questionTemplate
                    + "'");
        }
        captionPrompt = captionPrompt == null ? "" : captionPrompt;
        taskTokens = taskTokens == null ? List.of() : List.copyOf(taskTokens);
        if (prefixTokens < 0 || queries < 0 || bridgeLayers < 0 || vokens < 0) {
            throw new IllegalArgumentException("prefix_tokens, queries, bridge_layers and vokens must be >= 0");
        }
        if (decoder != null && !MiniGpt5.FAMILY.equals(family)) {
            throw new IllegalArgumentException("decoder: only a " + MiniGpt5.FAMILY + " bridge has an image decoder,"
                    + " not a " + family + " one");
        }
        if (trainLmLayers < 0 || trainLmLayers > lm.layers()) {
            throw new IllegalArgumentException("train_lm_layers must be 0.." + lm.layers() + " (the LM's layers), got "
                    + trainLmLayers);
        }
    }

    /** The same bridge over another vision tower and language model (what {@code --vision} / {@code --lm} give). */
    public BridgeConfig withTowers(VisionConfig v, DecoderConfig l, PreprocessConfig p) {
        return new BridgeConfig(family, v, l, prefixTokens, queries, bridgeWidth, bridgeLayers, bridgeHeads,
                taskTokens, vokens, trainVision, captionPrompt, questionTemplate, p, decoder, trainLmLayers);
    }

    /** The same bridge drawing with a frozen diffusion decoder of this config (MiniGPT-5's {@code --decoder}). */
    public BridgeConfig withDecoder(DiffusionConfig d) {
        return new BridgeConfig(family, vision, lm, prefixTokens, queries, bridgeWidth, bridgeLayers, bridgeHeads,
                taskTokens, vokens, trainVision, captionPrompt, questionTemplate, preprocess, d, trainLmLayers);
    }

    /** The same bridge with another Q-Former / resampler shape. */
    public BridgeConfig withQFormer(int queries, int width, int layers, int heads) {
        return new BridgeConfig(family, vision, lm, prefixTokens, queries, width, layers, heads, taskTokens, vokens,
                trainVision, captionPrompt, questionTemplate, preprocess, decoder, trainLmLayers);
    }

    /** The same bridge training the language model's last {@code n} blocks and final norm as well. */
    public BridgeConfig withTrainLmLayers(int n) {
        return new BridgeConfig(family, vision, lm, prefixTokens, queries, bridgeWidth, bridgeLayers, bridgeHeads,
                taskTokens, vokens, trainVision, captionPrompt, questionTemplate, preprocess, decoder, n);
    }

    /** The prompt of one question. */
    public String questionPrompt(String question) {
        return questionTemplate.replace("{question}", question.strip());
    }
}
