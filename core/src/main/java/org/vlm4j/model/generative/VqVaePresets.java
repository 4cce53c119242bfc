package org.vlm4j.model.generative;

import java.util.List;
import org.vlm4j.image.ImagePreprocessor.PreprocessConfig;

/** Named VQ-VAE architectures. */
public final class VqVaePresets {
    private VqVaePresets() {}

    public static final List<String> NAMES = List.of("vqvae-tiny");

    public static VqVaeConfig get(String name) {
        return switch (name) {
            case "vqvae-tiny" -> tiny();
            default -> throw new IllegalArgumentException("unknown preset '" + name + "' (" + String.join(", ", NAMES)
                    + ")");
        };
    }

    /**
     * For Shapes: 32 px (pixels scaled to [-1, 1]), two stride-2 stages (32, 64 channels) to an 8x8 grid of 64
     * codes, so an image is 64 tokens for the early-fusion model; two residual blocks; 128 codes of dimension 32,
     * learned by EMA (decay 0.99) with dead codes (usage below one vector per batch) restarted, which keeps most of
     * the codebook in use; L2 reconstruction, commitment 0.25 as the paper.
     */
    public static VqVaeConfig tiny() {
        float[] half = {0.5f, 0.5f, 0.5f};
        PreprocessConfig pre = new PreprocessConfig(32, half, half, "bilinear", "squash", false);
        return new VqVaeConfig(VqVae.FAMILY, 32, List.of(32, 64), 2, 32, 32, 128, 0.25f, 0.99f, 1f,
                VqVaeConfig.L2, pre);
    }
}
