package org.vlm4j.model.contrastive;

import java.util.List;
import org.vlm4j.nn.Activation;
import org.vlm4j.nn.TextConfig;
import org.vlm4j.nn.VisionConfig;

/** Named architectures (random weights until trained or imported). */
public final class ClipPresets {
    private ClipPresets() {}

    public static final List<String> NAMES = List.of("vit-b-32", "small", "tiny");

    public static ClipConfig get(String name) {
        return switch (name) {
            case "vit-b-32" -> vitB32();
            case "small" -> small();
            case "tiny" -> tiny();
            default -> throw new IllegalArgumentException("unknown preset '" + name + "' (" + String.join(", ", NAMES) + ")");
        };
    }

    /** OpenAI CLIP ViT-B/32: 224 px, patch 32, 12x768 vision, 12x512 text, QuickGELU, embed 512. */
    public static ClipConfig vitB32() {
        VisionConfig v = new VisionConfig(224, 32, 768, 12, 12, 3072, Activation.QUICK_GELU, 1e-5f, true, false, true,
                "tok", 512, false, false, 0f);
        TextConfig t = new TextConfig(49408, 77, 512, 12, 8, 2048, Activation.QUICK_GELU, 1e-5f, true, "argmax", 512,
                false, false, 0f);
        return new ClipConfig(Clip.FAMILY, 512, v, t, (float) Math.log(1 / 0.07), null, ClipConfig.clipPreprocess(v));
    }

    /** The engine-notes benchmark shape: 64 px, patch 8, width 256, 6 + 6 layers, embed 256. */
    public static ClipConfig small() {
        VisionConfig v = new VisionConfig(64, 8, 256, 6, 4, 1024, Activation.GELU, 1e-5f, true, false, true, "tok", 256,
                false, false, 0f);
        TextConfig t = new TextConfig(49408, 32, 256, 6, 4, 1024, Activation.GELU, 1e-5f, true, "argmax", 256, false,
                false, 0f);
        return new ClipConfig(Clip.FAMILY, 256, v, t, (float) Math.log(1 / 0.07), null, ClipConfig.clipPreprocess(v));
    }

    /** For tests and the quickstart: 32 px, patch 8, 2 x 64 layers. */
    public static ClipConfig tiny() {
        VisionConfig v = new VisionConfig(32, 8, 64, 2, 2, 256, Activation.GELU, 1e-5f, true, false, true, "tok", 64,
                false, false, 0f);
        TextConfig t = new TextConfig(49408, 16, 64, 2, 2, 256, Activation.GELU, 1e-5f, true, "argmax", 64, false, false,
                0f);
        return new ClipConfig(Clip.FAMILY, 64, v, t, (float) Math.log(1 / 0.07), null, ClipConfig.clipPreprocess(v));
    }
}
