package org.vlm4j.model.masking;

import java.util.List;
import org.vlm4j.image.ImagePreprocessor.PreprocessConfig;
import org.vlm4j.nn.Activation;
import org.vlm4j.nn.TextConfig;
import org.vlm4j.nn.VisionConfig;

/** Named architectures of the masking families, sized for Shapes (random weights until trained). */
public final class MaskingPresets {
    private MaskingPresets() {}

    public static final List<String> NAMES = List.of("visualbert-tiny", "flava-tiny", "vilbert-tiny", "maskvlm-tiny");

    /** The family of a preset. */
    public static String family(String name) {
        return switch (name) {
            case "visualbert-tiny" -> VisualBert.FAMILY;
            case "flava-tiny" -> Flava.FAMILY;
            case "vilbert-tiny" -> VilBert.FAMILY;
            case "maskvlm-tiny" -> MaskVlm.FAMILY;
            default -> throw unknown(name);
        };
    }

    public static Object get(String name, int vocabSize) {
        return switch (name) {
            case "visualbert-tiny" -> visualBertTiny(vocabSize);
            case "flava-tiny" -> flavaTiny(vocabSize);
            case "vilbert-tiny" -> vilBertTiny(vocabSize);
            case "maskvlm-tiny" -> maskVlmTiny(vocabSize);
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

    /**
     * The towers of clip-tiny (64 px, conv stem 32-64-128 to 8x8 tokens, 3 + 3 layers of width 128, context 32; the
     * text tower bidirectional with [CLS_T] first), so FLAVA and CLIP compare on equal towers, plus a 2-layer
     * multimodal encoder of width 128; pixel MIM targets; FLAVA's default of equal loss weights.
     */
    static FlavaConfig flavaTiny(int vocabSize) {
        VisionConfig v = new VisionConfig(64, 8, 128, 3, 4, 512, Activation.GELU, 1e-5f, true, false, true, "tok", 0,
                false, false, 0f, List.of(32, 64, 128));
        TextConfig t = new TextConfig(vocabSize + 2, 32, 128, 3, 4, 512, Activation.GELU, 1e-5f, false, "first", 0,
                false, false, 0f);
        return new FlavaConfig(Flava.FAMILY, v, t, 128, 128, 2, 4, 512, 0.15f, 0.4f, 0, (float) Math.log(1 / 0.07),
                1f, 1f, 1f, 1f, 1f, PreprocessConfig.openaiClip(64));
    }

    /**
     * Two streams of width 128 (the image stream clip-tiny's 64 px conv-stem ViT with 2 own layers, the text stream 2
     * own layers, context 32), then 2 co-attention layers.
     */
    static VilBertConfig vilBertTiny(int vocabSize) {
        VisionConfig v = new VisionConfig(64, 8, 128, 2, 4, 512, Activation.GELU, 1e-5f, true, false, true, "tok", 0,
                false, false, 0f, List.of(32, 64, 128));
        TextConfig t = new TextConfig(vocabSize + 2, 32, 128, 2, 4, 512, Activation.GELU, 1e-5f, false, "first", 0,
                false, false, 0f);
        return new VilBertConfig(VilBert.FAMILY, v, t, 2, 0.15f, 0.3f, 1f, 1f, 1f, PreprocessConfig.openaiClip(64));
    }

    /**
     * The towers of flava-tiny (clip-tiny's: 64 px conv-stem ViT, 3 + 3 layers of width 128, context 32), two
     * cross-modality encoders of 2 layers, 40% of patches blanked, equal loss weights.
     */
    static MaskVlmConfig maskVlmTiny(int vocabSize) {
        FlavaConfig f = flavaTiny(vocabSize);
        return new MaskVlmConfig(MaskVlm.FAMILY, f.vision(), f.text(), 128, 2, 0.15f, 0.4f, (float) Math.log(1 / 0.07),
                1f, 1f, 1f, 1f, PreprocessConfig.openaiClip(64));
    }

    /** A ViT used for its tokens: no class token, no projection, "avg" pooling (unused). */
    public static VisionConfig stem(int imageSize, int patch, int width, int layers, List<Integer> convStem) {
        return new VisionConfig(imageSize, patch, width, layers, Math.max(1, width / 32), 4 * width, Activation.GELU,
                1e-5f, false, false, true, "avg", 0, false, false, 0f, convStem);
    }
}
