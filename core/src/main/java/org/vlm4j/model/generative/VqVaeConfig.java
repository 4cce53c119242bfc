package org.vlm4j.model.generative;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import org.vlm4j.image.ImagePreprocessor.PreprocessConfig;

/**
 * A VQ-VAE image tokenizer (van den Oord et al. 2017). The encoder halves the resolution once per entry of
 * {@code channels} (4x4 stride-2 convs), so an image of {@code image_size} becomes a grid of
 * {@code image_size / 2^len(channels)} codes a side; the decoder mirrors it with transposed convs.
 *
 * @param imageSize         input side in pixels (equal to {@code preprocess.size})
 * @param channels          channels after each stride-2 stage, e.g. [32, 64]
 * @param resBlocks         residual blocks at the bottleneck, in the encoder and again in the decoder
 * @param resHidden         channels inside a residual block
 * @param codeDim           dimension of a code vector
 * @param codebookSize      number of codes K
 * @param beta              commitment weight
 * @param emaDecay          0: the codebook learns by gradient (codebook loss); in (0, 1): by moving averages
 * @param deadCodeThreshold with EMA, codes whose smoothed usage (vectors per batch) falls below this restart at a
 *                          batch vector; 0 for none
 * @param reconstruction    "l2" (mean squared error) or "l1" (mean absolute error), on normalised pixels
 * @param preprocess        how images are resized and normalised (decoded images are un-normalised with it)
 */
public record VqVaeConfig(
        String family,
        @JsonProperty("image_size") int imageSize,
        List<Integer> channels,
        @JsonProperty("res_blocks") int resBlocks,
        @JsonProperty("res_hidden") int resHidden,
        @JsonProperty("code_dim") int codeDim,
        @JsonProperty("codebook_size") int codebookSize,
        float beta,
        @JsonProperty("ema_decay") float emaDecay,
        @JsonProperty("dead_code_threshold") float deadCodeThreshold,
        String reconstruction,
        PreprocessConfig preprocess) {

    public static final String L2 = "l2";
    public static final String L1 = "l1";

    public VqVaeConfig {
        if (!VqVae.FAMILY.equals(family)) {
            throw new IllegalArgumentException("family must be " + VqVae.FAMILY + ", got '" + family + "'");
        }
        if (channels == null || channels.isEmpty() || channels.stream().anyMatch(c -> c == null || c <= 0)) {
            throw new IllegalArgumentException("channels must be a non-empty list of positive counts, got " + channels);
        }
        channels = List.copyOf(channels);
        int factor = 1 << channels.size();
        if (imageSize <= 0 || imageSize % factor != 0) {
            throw new IllegalArgumentException("image_size " + imageSize + " must be a positive multiple of " + factor
                    + " (" + channels.size() + " stride-2 stages)");
        }
        if (resBlocks < 0 || resHidden <= 0 || codeDim <= 0 || codebookSize <= 1) {
            throw new IllegalArgumentException("need res_blocks >= 0, res_hidden > 0, code_dim > 0, codebook_size > 1");
        }
        if (!(beta >= 0) || !(emaDecay >= 0 && emaDecay < 1) || !(deadCodeThreshold >= 0)) {
            throw new IllegalArgumentException("need beta >= 0, ema_decay in [0, 1), dead_code_threshold >= 0");
        }
        if (deadCodeThreshold > 0 && emaDecay == 0) {
            throw new IllegalArgumentException("dead_code_threshold needs the EMA codebook (ema_decay > 0)");
        }
        if (!L2.equals(reconstruction) && !L1.equals(reconstruction)) {
            throw new IllegalArgumentException("reconstruction must be 'l2' or 'l1', got '" + reconstruction + "'");
        }
        if (preprocess == null || preprocess.size() != imageSize) {
            throw new IllegalArgumentException("preprocess size " + (preprocess == null ? null : preprocess.size())
                    + " differs from image_size " + imageSize);
        }
    }

    /** Codes per side of the grid. */
    public int gridSize() {
        return imageSize >> channels.size();
    }
}
