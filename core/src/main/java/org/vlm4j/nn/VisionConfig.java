package org.vlm4j.nn;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import org.vlm4j.io.JsonDefault;

/**
 * A ViT: conv patch embedding, optional class token, learned positional embedding, optional ln_pre, blocks,
 * ln_post on all tokens, pooling ("tok" = class token, "avg" = mean of patch tokens, "map" = attention-pooling
 * head), optional projection to {@code outputDim} (0 = none).
 *
 * <p>{@code convStem}: empty for the classic patchify stem (one {@code patch x patch} stride-{@code patch} conv). Else
 * the channel widths of a convolutional stem (Xiao et al. 2021, "Early convolutions help transformers see better"):
 * one 3x3 stride-2 conv + GELU per entry, then a 1x1 conv to the width, so {@code patchSize} must be
 * {@code 2^convStem.size()}. It gives the tower the locality prior a from-scratch ViT lacks on small data; there is
 * no such layer in OpenCLIP's or HF's ViT, so models with it do not export to those layouts.
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
        @JsonProperty("layer_scale_init") float layerScaleInit,
        @JsonProperty("conv_stem") @JsonInclude(JsonInclude.Include.NON_EMPTY) @JsonDefault("[]")
        List<Integer> convStem) {

    /** The classic patchify stem. */
    public VisionConfig(int imageSize, int patchSize, int width, int layers, int heads, int mlpHidden,
                        Activation activation, float lnEps, boolean classToken, boolean patchBias, boolean lnPre,
                        String pool, int outputDim, boolean projBias, boolean qkNorm, float layerScaleInit) {
        this(imageSize, patchSize, width, layers, heads, mlpHidden, activation, lnEps, classToken, patchBias, lnPre,
                pool, outputDim, projBias, qkNorm, layerScaleInit, List.of());
    }

    public VisionConfig {
        convStem = convStem == null ? List.of() : List.copyOf(convStem);
        if (!convStem.isEmpty() && patchSize != 1 << convStem.size()) {
            throw new IllegalArgumentException("vision conv_stem " + convStem + " has " + convStem.size()
                    + " stride-2 convs, so patch_size must be " + (1 << convStem.size()) + ", not " + patchSize);
        }
        for (int ch : convStem) {
            if (ch <= 0) {
                throw new IllegalArgumentException("vision conv_stem channels must be positive, got " + convStem);
            }
        }
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

    public VisionConfig withConvStem(List<Integer> channels) {
        return new VisionConfig(imageSize, patchSize, width, layers, heads, mlpHidden, activation, lnEps, classToken,
                patchBias, lnPre, pool, outputDim, projBias, qkNorm, layerScaleInit, channels);
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
