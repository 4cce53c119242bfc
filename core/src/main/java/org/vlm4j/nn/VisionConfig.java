package org.vlm4j.nn;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A ViT: conv patch embedding, optional class token, learned positional embedding, optional ln_pre, blocks,
 * ln_post on all tokens, pooling ("tok" = class token, "avg" = mean of patch tokens, "map" = attention-pooling
 * head), optional projection to {@code outputDim} (0 = none).
 */
public record VisionConfig(
        @JsonProperty("image_size") int imageSize,
        @JsonProperty("patch_size") int patchSize,
        int width,
        int layers,
        int heads,
        @JsonProperty("mlp_hidden") int mlpHidden,
        Activation activation,
        @JsonProperty("ln_eps") float lnEps,
        @JsonProperty("class_token") boolean classToken,
        @JsonProperty("patch_bias") boolean patchBias,
        @JsonProperty("ln_pre") boolean lnPre,
        String pool,
        @JsonProperty("output_dim") int outputDim,
        @JsonProperty("proj_bias") boolean projBias,
        @JsonProperty("qk_norm") boolean qkNorm,
        @JsonProperty("layer_scale_init") float layerScaleInit) {

    public VisionConfig {
        if (imageSize <= 0 || patchSize <= 0 || imageSize % patchSize != 0) {
            throw new IllegalArgumentException("vision image_size " + imageSize + " must be a positive multiple of patch_size "
                    + patchSize);
        }
        if (!pool.equals("tok") && !pool.equals("avg") && !pool.equals("map")) {
            throw new IllegalArgumentException("vision pool must be tok, avg or map, got '" + pool + "'");
        }
        if (pool.equals("tok") && !classToken) {
            throw new IllegalArgumentException("vision pool 'tok' needs class_token");
        }
    }

    public int grid() {
        return imageSize / patchSize;
    }

    public int tokens() {
        return grid() * grid() + (classToken ? 1 : 0);
    }

    public BlockConfig block() {
        return new BlockConfig(width, heads, mlpHidden, activation, lnEps, true, qkNorm, layerScaleInit, false, 0);
    }
}
