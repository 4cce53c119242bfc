package org.vlm4j.model.masking;

import java.util.List;
import org.vlm4j.image.ImagePreprocessor.PreprocessConfig;
import org.vlm4j.nn.Activation;
import org.vlm4j.nn.VisionConfig;

/** Named architectures of the masking families, sized for Shapes (random weights until trained). */
public final class MaskingPresets {
    private MaskingPresets() {}

    public static final List<String> NAMES = List.of("visualbert-tiny");

    /** The family of a preset. */
    public static String family(String name) {
        return switch (name) {
            case "visualbert-tiny" -> VisualBert.FAMILY;
            default -> throw unknown(name);
        };
    }

    public static Object get(String name, int vocabSize) {
        return switch (name) {
            case "visualbert-tiny" -> visualBertTiny(vocabSize);
            default -> throw unknown(name);
        };
    }

    private static IllegalArgumentException unknown(String name) {
        return new IllegalArgumentException("unknown preset '" + name + "' (" + String.join(", ", NAMES) + ")");
    }

    /**
     * clip-tiny's image stem (64 px, conv stem 32-64-128 to 8x8 patch tokens, width 128) with one ViT layer, then 4
     * fused layers of width 128 over 32 text + 64 image tokens.
     */
    static VisualBertConfig visualBertTiny(int vocabSize) {
        return new VisualBertConfig(VisualBert.FAMILY, stem(64, 8, 128, 1, List.of(32, 64, 128)), vocabSize, 32, 128, 4,
                4, 512, Activation.GELU, 1e-5f, 0.15f, 1f, 1f, PreprocessConfig.openaiClip(64));
    }

    /** A ViT used for its tokens: no class token, no projection, "avg" pooling (unused). */
    public static VisionConfig stem(int imageSize, int patch, int width, int layers, List<Integer> convStem) {
        return new VisionConfig(imageSize, patch, width, layers, Math.max(1, width / 32), 4 * width, Activation.GELU,
                1e-5f, false, false, true, "avg", 0, false, false, 0f, convStem);
    }
}
