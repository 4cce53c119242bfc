package org.vlm4j.model.contrastive;

import java.util.List;
import org.vlm4j.nn.Activation;
import org.vlm4j.nn.TextConfig;
import org.vlm4j.nn.VisionConfig;

/** Named architectures (random weights until trained or imported). */
public final class ClipPresets {
    private ClipPresets() {}

    public static final List<String> NAMES = List.of("clip-tiny", "clip-small", "siglip-tiny", "siglip-small", "llip-tiny",
            "vit-b-32", "small", "tiny");

    public static ClipConfig get(String name) {
        return get(name, 49408);
    }

    /** A preset with the text vocabulary sized for a given tokenizer (from-scratch models use small fitted ones). */
    public static ClipConfig get(String name, int vocabSize) {
        return switch (name) {
            case "clip-tiny" -> shapesTiny(vocabSize, false);
            case "siglip-tiny" -> shapesTiny(vocabSize, true);
            case "llip-tiny" -> llip(shapesTiny(vocabSize, false), 8, 4);
            case "clip-small", "small" -> withVocab(small(), vocabSize, false);
            case "siglip-small" -> withVocab(small(), vocabSize, true);
            case "vit-b-32" -> withVocab(vitB32(), vocabSize, false);
            case "tiny" -> withVocab(tiny(), vocabSize, false);
            default -> throw new IllegalArgumentException("unknown preset '" + name + "' (" + String.join(", ", NAMES) + ")");
        };
    }

    /**
     * SigLIP's bias init for the small batches these presets train at: -ln 32, so a pair starts at p(positive) =
     * 1/32, the prior of a batch of 32 with one positive per row. The paper's -10 (with logit scale init ln 10) is that
     * rule at its 32k batch; at batch 32 it starts every positive pair at p = 5e-5, and in 160 steps on Shapes
     * siglip-tiny reached 38-41% zero-shot with it against 99% with this init and CLIP's scale init ln(1/0.07)
     * (BENCHMARKS.md, "SigLIP at small batches").
     */
    public static final float SMALL_BATCH_BIAS = (float) -Math.log(32);

    /**
     * Trains in minutes on two cores: 64 px, a conv stem of three 3x3 stride-2 convs (32, 64, 128 channels) down to
     * 8x8 tokens, 3 + 3 layers of width 128, context 32. From scratch on Shapes the stem learns shape features the
     * plain patch-8 ViT picks up far more slowly (zero-shot top-1 after 1,000 steps: 25.9% vs 16.7%, BENCHMARKS.md),
     * at ~25% lower throughput. The SigLIP variant has the same towers (as OpenCLIP's --siglip on a CLIP config),
     * with a learned bias.
     */
    static ClipConfig shapesTiny(int vocabSize, boolean siglip) {
        VisionConfig v = new VisionConfig(64, 8, 128, 3, 4, 512, Activation.GELU, 1e-5f, true, false, true, "tok", 128,
                false, false, 0f, List.of(32, 64, 128));
        TextConfig t = new TextConfig(vocabSize, 32, 128, 3, 4, 512, Activation.GELU, 1e-5f, true, "argmax", 128, false,
                false, 0f);
        return new ClipConfig(siglip ? SigLip.FAMILY : Clip.FAMILY, 128, v, t, (float) Math.log(1 / 0.07),
                siglip ? SMALL_BATCH_BIAS : null, ClipConfig.clipPreprocess(v));
    }

    /**
     * Llip over a CLIP config's towers and objective (InfoNCE, the same logit scale), so a comparison with that CLIP
     * differs in the caption-conditioned pooling alone: K mixture tokens mixed by a cross-attention of {@code heads}.
     */
    static ClipConfig llip(ClipConfig c, int mixtureTokens, int heads) {
        return new ClipConfig(Llip.FAMILY, c.embedDim(), c.vision(), c.text(), c.logitScaleInit(), c.logitBiasInit(),
                c.preprocess(), new ClipConfig.LlipHead(mixtureTokens, heads));
    }

    static ClipConfig withVocab(ClipConfig c, int vocabSize, boolean siglip) {
        TextConfig t = c.text();
        TextConfig text = new TextConfig(vocabSize, t.contextLength(), t.width(), t.layers(), t.heads(), t.mlpHidden(),
                t.activation(), t.lnEps(), t.causal(), t.pool(), t.outputDim(), t.projBias(), t.qkNorm(),
                t.layerScaleInit());
        return new ClipConfig(siglip ? SigLip.FAMILY : Clip.FAMILY, c.embedDim(), c.vision(), text,
                c.logitScaleInit(), siglip ? SMALL_BATCH_BIAS : null, c.preprocess());
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
