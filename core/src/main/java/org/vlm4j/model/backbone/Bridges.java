package org.vlm4j.model.backbone;

import java.util.List;
import org.vlm4j.image.ImagePreprocessor.PreprocessConfig;
import org.vlm4j.nn.Activation;
import org.vlm4j.nn.DecoderConfig;
import org.vlm4j.nn.VisionConfig;

/**
 * The bridge families and their presets. A preset's towers are placeholders of the test sizes: {@code vlm4j train
 * --vision DIR --lm DIR} replaces them by the given pretrained ones ({@link BridgeConfig#withTowers}).
 */
public final class Bridges {
    public static final List<String> FAMILIES = List.of(MiniGpt4.FAMILY, Blip2.FAMILY, QwenVl.FAMILY,
            FrozenBridge.FAMILY, MiniGptV2.FAMILY, MiniGpt5.FAMILY);
    public static final List<String> PRESETS = List.of("minigpt4-tiny", "blip2-tiny", "qwenvl-tiny", "frozen-tiny",
            "minigptv2-tiny", "minigpt5-tiny");
    public static final String QUESTION_TEMPLATE = "question: {question} answer:";

    private Bridges() {}

    /** The family of a preset name ("minigpt4-tiny" -> "minigpt4"). */
    public static String familyOf(String preset) {
        return preset.substring(0, preset.indexOf('-'));
    }

    /** 32 px, a 16-32 conv stem to 8x8 tokens + class token, 2 layers of width 64. */
    public static VisionConfig tinyVision() {
        return new VisionConfig(32, 4, 64, 2, 2, 256, Activation.GELU, 1e-5f, true, false, true, "tok", 0,
                false, false, 0f, List.of(16, 32));
    }

    /** 2 layers of width 64, 96 positions (65 image tokens + a prompt and a caption), tied embeddings. */
    public static DecoderConfig tinyLm(int vocab) {
        return new DecoderConfig(vocab, 96, 64, 2, 2, 256, Activation.GELU, 1e-5f, false, 0, true);
    }

    public static BridgeConfig preset(String name, int vocab) {
        VisionConfig v = tinyVision();
        DecoderConfig l = tinyLm(Math.max(vocab, 1));
        PreprocessConfig p = PreprocessConfig.openaiClip(v.imageSize());
        String q = QUESTION_TEMPLATE;
        return switch (name) {
            case "minigpt4-tiny" -> new BridgeConfig(MiniGpt4.FAMILY, v, l, 0, 0, 0, 0, 0, List.of(), 0, false, "", q, p);
            case "blip2-tiny" -> new BridgeConfig(Blip2.FAMILY, v, l, 0, 16, 64, 2, 2, List.of(), 0, false, "", q, p);
            case "qwenvl-tiny" -> new BridgeConfig(QwenVl.FAMILY, v, l, 0, 16, 64, 1, 2, List.of(), 0, false, "", q, p);
            case "frozen-tiny" -> new BridgeConfig(FrozenBridge.FAMILY, v, l, 2, 0, 0, 0, 0, List.of(), 0, true, "", q,
                    p);
            case "minigptv2-tiny" -> new BridgeConfig(MiniGptV2.FAMILY, v, l, 4, 0, 0, 0, 0,
                    List.of("caption", "vqa", "grounding"), 0, false, "", q, p);
            case "minigpt5-tiny" -> new BridgeConfig(MiniGpt5.FAMILY, v, l, 0, 0, 64, 1, 2, List.of(), 4, false, "", q,
                    p);
            default -> throw new IllegalArgumentException("unknown preset '" + name + "' (" + String.join(", ", PRESETS)
                    + ")");
        };
    }
}
