package org.vlm4j.io.convert;

import com.fasterxml.jackson.databind.JsonNode;
import org.vlm4j.image.ImagePreprocessor.PreprocessConfig;
import org.vlm4j.model.contrastive.Clip;
import org.vlm4j.model.contrastive.ClipConfig;
import org.vlm4j.model.contrastive.SigLip;
import org.vlm4j.nn.Activation;
import org.vlm4j.nn.TextConfig;
import org.vlm4j.nn.VisionConfig;

/**
 * OpenCLIP model-config JSON ({@code {"embed_dim":512,"vision_cfg":{...},"text_cfg":{...},"quick_gelu":true}}) to our
 * config, with OpenCLIP's dataclass defaults (CLIPVisionCfg / CLIPTextCfg) for absent fields. A model with
 * {@code init_logit_bias} (OpenCLIP's sigmoid-loss models) becomes family "siglip".
 */
public final class OpenClipConfigs {
    private OpenClipConfigs() {}

    public static ClipConfig toClipConfig(JsonNode json, String file) {
        JsonFields root = new JsonFields(json, file);
        int embedDim = root.requiredInt("embed_dim");
        Activation act = root.boolOr("quick_gelu", false) ? Activation.QUICK_GELU : Activation.GELU;
        float lnEps = 1e-5f;

        JsonFields v = root.object("vision_cfg");
        v.unsupportedIfSet("timm_model_name", "timm image towers are not implemented");
        v.unsupportedIfSet("attentional_pool", "the attentional pooler (CoCa) comes with the generative family");
        int vWidth = v.intOr("width", 768);
        int headWidth = v.intOr("head_width", 64);
        int vMlp = (int) (vWidth * v.doubleOr("mlp_ratio", 4.0));
        String vPool = v.stringOr("pool_type", "tok");
        Double vLs = v.doubleOrNull("ls_init_value");
        VisionConfig vision = new VisionConfig(v.intOr("image_size", 224), v.intOr("patch_size", 16), vWidth,
                v.intOr("layers", 12), vWidth / headWidth, vMlp, act, lnEps, true, false, !v.boolOr("no_ln_pre", false),
                vPool, embedDim, false, v.boolOr("qk_norm", false), vLs == null ? 0f : vLs.floatValue());

        JsonFields t = root.object("text_cfg");
        t.unsupportedIfSet("hf_model_name", "HuggingFace text towers are not implemented");
        t.unsupportedIfSet("embed_cls", "a CLS text embedding is not implemented");
        int tWidth = t.intOr("width", 512);
        Double tLs = t.doubleOrNull("ls_init_value");
        TextConfig text = new TextConfig(t.intOr("vocab_size", 49408), t.intOr("context_length", 77), tWidth,
                t.intOr("layers", 12), t.intOr("heads", 8), (int) (tWidth * t.doubleOr("mlp_ratio", 4.0)), act, lnEps,
                !t.boolOr("no_causal_mask", false), t.stringOr("pool_type", "argmax"), embedDim, t.boolOr("proj_bias", false),
                t.boolOr("qk_norm", false), tLs == null ? 0f : tLs.floatValue());

        Double bias = root.doubleOrNull("init_logit_bias");
        float scale = (float) root.doubleOr("init_logit_scale", Math.log(1 / 0.07));
        JsonFields pre = root.objectOrEmpty("preprocess_cfg");
        PreprocessConfig dflt = PreprocessConfig.openaiClip(vision.imageSize());
        PreprocessConfig preprocess = new PreprocessConfig(vision.imageSize(), pre.floatsOr("mean", dflt.mean()),
                pre.floatsOr("std", dflt.std()), pre.stringOr("interpolation", "bicubic"),
                pre.stringOr("resize_mode", "shortest"), false);
        return new ClipConfig(bias == null ? Clip.FAMILY : SigLip.FAMILY, embedDim, vision, text, scale,
                bias == null ? null : bias.floatValue(), preprocess);
    }

    /** Our config as an OpenCLIP model config; fails for architectures OpenCLIP's CLIP class cannot express. */
    public static com.fasterxml.jackson.databind.node.ObjectNode fromClipConfig(ClipConfig c) {
        VisionConfig v = c.vision();
        TextConfig t = c.text();
        if (!v.classToken() || v.patchBias() || v.pool().equals("map") || v.activation() != t.activation()
                || (v.activation() != Activation.GELU && v.activation() != Activation.QUICK_GELU)
                || t.heads() == 0 || v.width() % v.heads() != 0) {
            throw new IllegalArgumentException("this model's architecture has no OpenCLIP CLIP equivalent");
        }
        var json = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance;
        var root = json.objectNode();
        root.put("embed_dim", c.embedDim());
        root.put("quick_gelu", v.activation() == Activation.QUICK_GELU);
        var vc = root.putObject("vision_cfg");
        vc.put("image_size", v.imageSize()).put("patch_size", v.patchSize()).put("width", v.width())
                .put("layers", v.layers()).put("head_width", v.width() / v.heads())
                .put("mlp_ratio", v.mlpHidden() / (double) v.width()).put("no_ln_pre", !v.lnPre())
                .put("pool_type", v.pool());
        var tc = root.putObject("text_cfg");
        tc.put("context_length", t.contextLength()).put("vocab_size", t.vocabSize()).put("width", t.width())
                .put("heads", t.heads()).put("layers", t.layers()).put("mlp_ratio", t.mlpHidden() / (double) t.width())
                .put("no_causal_mask", !t.causal()).put("pool_type", t.pool()).put("proj_bias", t.projBias());
        root.put("init_logit_scale", c.logitScaleInit());
        if (c.logitBiasInit() != null) {
            root.put("init_logit_bias", c.logitBiasInit());
        }
        var pre = root.putObject("preprocess_cfg");
        var mean = pre.putArray("mean");
        for (float x : c.preprocess().mean()) {
            mean.add(x);
        }
        var std = pre.putArray("std");
        for (float x : c.preprocess().std()) {
            std.add(x);
        }
        pre.put("interpolation", c.preprocess().interpolation()).put("resize_mode", c.preprocess().resizeMode());
        return root;
    }
}
