package org.vlm4j.model.generative.diffusion;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.vlm4j.image.ImagePreprocessor.PreprocessConfig;
import org.vlm4j.nn.Activation;
import org.vlm4j.nn.BlockConfig;
import org.vlm4j.nn.TextConfig;

/**
 * A text-conditioned pixel diffusion model: a small DiT over {@code patch_size} patches of {@code image_size} images
 * (pixels in [-1, 1]), conditioned on a caption's token states (a text tower trained with it) and the timestep.
 *
 * @param timesteps   T of the noise schedule
 * @param schedule    {@code linear} or {@code cosine} ({@link NoiseSchedule})
 * @param condDropout probability that a training caption is replaced by the empty one (classifier-free guidance)
 */
public record DiffusionConfig(
        String family,
        @JsonProperty("image_size") int imageSize,
        @JsonProperty("patch_size") int patchSize,
        int width,
        int layers,
        int heads,
        @JsonProperty("mlp_hidden") int mlpHidden,
        TextConfig text,
        int timesteps,
        String schedule,
        @JsonProperty("cond_dropout") float condDropout,
        PreprocessConfig preprocess) {

    public DiffusionConfig {
        if (!DiffusionModel.FAMILY.equals(family)) {
            throw new IllegalArgumentException("family must be " + DiffusionModel.FAMILY + ", got '" + family + "'");
        }
        if (patchSize <= 0 || imageSize <= 0 || imageSize % patchSize != 0) {
            throw new IllegalArgumentException("image_size " + imageSize + " must be a positive multiple of patch_size "
                    + patchSize);
        }
        if (layers <= 0) {
            throw new IllegalArgumentException("layers must be positive, got " + layers);
        }
        NoiseSchedule.of(schedule, timesteps); // validates both
        if (!(condDropout >= 0 && condDropout < 1)) {
            throw new IllegalArgumentException("cond_dropout must be in [0, 1), got " + condDropout);
        }
        if (preprocess == null || preprocess.size() != imageSize) {
            throw new IllegalArgumentException("preprocess size " + (preprocess == null ? null : preprocess.size())
                    + " differs from image_size " + imageSize);
        }
        float[] mean = preprocess.mean();
        float[] std = preprocess.std();
        for (int c = 0; c < 3; c++) {
            if (mean[c] != 0.5f || std[c] != 0.5f) {
                throw new IllegalArgumentException("preprocess must map pixels to [-1, 1] (mean = std = 0.5)");
            }
        }
    }

    /** The DiT's blocks: pre-LN self-attention, cross-attention to the caption's token states, MLP. */
    public BlockConfig block() {
        return new BlockConfig(width, heads, mlpHidden, Activation.GELU, 1e-6f, true, false, 0f, true, text.width());
    }

    public int grid() {
        return imageSize / patchSize;
    }

    /** Values per patch: 3 channels of patch_size^2 pixels. */
    public int patchValues() {
        return 3 * patchSize * patchSize;
    }

    /**
     * diffusion-tiny, for Shapes in minutes on two cores: 16 px in 4x4 patches (16 tokens), 3 blocks of width 96, a
     * one-layer text tower of width 64 over captions of up to 16 tokens, T = 1000 cosine, 10% empty captions. (On
     * single-shape Shapes scenes 1,000 steps of batch 32 give "a red circle" red in 2 of 3 DDIM samples at guidance 3:
     * DiffusionEndToEndTest.)
     */
    public static DiffusionConfig tiny(int vocabSize) {
        TextConfig t = new TextConfig(vocabSize, 16, 64, 1, 2, 128, Activation.GELU, 1e-5f, true, "argmax", 0, false,
                false, 0f);
        float[] half = {0.5f, 0.5f, 0.5f};
        PreprocessConfig pre = new PreprocessConfig(16, half, half, "bilinear", "squash", false);
        return new DiffusionConfig(DiffusionModel.FAMILY, 16, 4, 96, 3, 2, 384, t, 1000, NoiseSchedule.COSINE, 0.1f,
                pre);
    }

    /** The same model with another number of timesteps. */
    public DiffusionConfig withTimesteps(int steps) {
        return new DiffusionConfig(family, imageSize, patchSize, width, layers, heads, mlpHidden, text, steps, schedule,
                condDropout, preprocess);
    }
}
