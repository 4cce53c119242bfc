package org.vlm4j.model.generative;

import java.util.List;
import org.vlm4j.image.ImagePreprocessor.PreprocessConfig;
import org.vlm4j.nn.Activation;
import org.vlm4j.nn.DecoderConfig;
import org.vlm4j.nn.TextConfig;
import org.vlm4j.nn.VisionConfig;

/** Named CoCa architectures (random weights until trained). */
public final class CocaPresets {
    private CocaPresets() {}

    public static final List<String> NAMES = List.of("coca-tiny");

    public static CocaConfig get(String name, int vocabSize) {
        return switch (name) {
            case "coca-tiny" -> shapesTiny(vocabSize);
            default -> throw new IllegalArgumentException("unknown preset '" + name + "' (" + String.join(", ", NAMES)
                    + ")");
        };
    }

    /**
     * The towers of clip-tiny (64 px, conv stem 32-64-128 to 8x8 tokens, 3 + 3 layers of width 128, context 32) so
     * that CoCa and CLIP compare on equal towers, plus a 3-layer multimodal decoder of the same width with tied
     * embeddings, 32 captioning queries, OpenCLIP's loss weights (caption 2.0, contrastive 1.0).
     */
    static CocaConfig shapesTiny(int vocabSize) {
        VisionConfig v = new VisionConfig(64, 8, 128, 3, 4, 512, Activation.GELU, 1e-5f, true, false, true, "tok", 0,
                false, false, 0f, List.of(32, 64, 128));
        TextConfig t = new TextConfig(vocabSize, 32, 128, 3, 4, 512, Activation.GELU, 1e-5f, true, "argmax", 128, false,
                false, 0f);
        DecoderConfig d = new DecoderConfig(vocabSize, 32, 128, 3, 4, 512, Activation.GELU, 1e-5f, true, 128, true);
        return new CocaConfig(Coca.FAMILY, 128, v, t, d, 32, 4, 2.0f, 1.0f, (float) Math.log(1 / 0.07),
                PreprocessConfig.openaiClip(64));
    }
}
