package org.vlm4j.io.convert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.vlm4j.image.ImagePreprocessor.PreprocessConfig;
import org.vlm4j.model.contrastive.Clip;
import org.vlm4j.model.contrastive.ClipConfig;
import org.vlm4j.model.contrastive.SigLip;
import org.vlm4j.nn.Activation;
import org.vlm4j.nn.TextConfig;
import org.vlm4j.nn.VisionConfig;

/**
 * HuggingFace {@code CLIPModel} / {@code SiglipModel} config.json to our config and back, with transformers'
 * defaults (CLIPTextConfig, CLIPVisionConfig, SiglipTextConfig, SiglipVisionConfig) for absent fields.
 * A CLIPModel config may carry an extra {@code logit_bias_init} (vlm4j's export of OpenCLIP sigmoid-loss models).
 */
public final class HfClipConfigs {
    private static final ObjectMapper JSON = new ObjectMapper();

    private HfClipConfigs() {}

    public static boolean isSiglip(JsonNode json, String file) {
        JsonFields root = new JsonFields(json, file);
        String type = root.stringOr("model_type", null);
        if (type == null) {
            throw new IllegalArgumentException(file + ": missing field 'model_type' (clip or siglip)");
        }
        return switch (type) {
            case "clip" -> false;
            case "siglip" -> true;
            default -> throw new IllegalArgumentException(file + ": model_type '" + type
                    + "' is not supported (clip, siglip)");
        };
    }

    public static ClipConfig toClipConfig(JsonNode json, String file) {
        boolean siglip = isSiglip(json, file);
        JsonFields root = new JsonFields(json, file);
        JsonFields v = root.objectOrEmpty("vision_config");
        JsonFields t = root.objectOrEmpty("text_config");
        String dfltAct = siglip ? "gelu_pytorch_tanh" : "quick_gelu";
        float dfltEps = siglip ? 1e-6f : 1e-5f;

        int vWidth = v.intOr("hidden_size", 768);
        int vHeads = v.intOr("num_attention_heads", 12);
        int vMlp = v.intOr("intermediate_size", 3072);
        Activation vAct = Activation.parse(v.stringOr("hidden_act", dfltAct));
        float vEps = (float) v.doubleOr("layer_norm_eps", dfltEps);
        int tWidth = t.intOr("hidden_size", siglip ? 768 : 512);
        int embedDim = siglip ? t.intOr("projection_size", tWidth) : root.intOr("projection_dim", 512);
        if (siglip && vWidth != embedDim) {
            throw new IllegalArgumentException(file + ": SigLIP vision hidden_size " + vWidth
                    + " differs from the text projection_size " + embedDim);
        }
        VisionConfig vision = new VisionConfig(v.intOr("image_size", 224), v.intOr("patch_size", siglip ? 16 : 32),
                vWidth, v.intOr("num_hidden_layers", 12), vHeads, vMlp, vAct, vEps, !siglip, siglip, !siglip,
                siglip ? (v.boolOr("vision_use_head", true) ? "map" : "avg") : "tok", siglip ? 0 : embedDim, false,
                false, 0f);
        TextConfig text = new TextConfig(t.intOr("vocab_size", siglip ? 32000 : 49408),
                t.intOr("max_position_embeddings", siglip ? 64 : 77), tWidth, t.intOr("num_hidden_layers", 12),
                t.intOr("num_attention_heads", siglip ? 12 : 8), t.intOr("intermediate_size", siglip ? 3072 : 2048),
                Activation.parse(t.stringOr("hidden_act", dfltAct)), (float) t.doubleOr("layer_norm_eps", dfltEps),
                !siglip, siglip ? "last" : "argmax", embedDim, siglip, false, 0f);
        // SigLIP checkpoints carry trained logit_scale/bias; these inits only matter for fresh models.
        float scale = (float) root.doubleOr("logit_scale_init_value", siglip ? Math.log(10) : 2.6592);
        Double bias = root.doubleOrNull("logit_bias_init");
        if (siglip && bias == null) {
            bias = -10.0;
        }
        PreprocessConfig preprocess = siglip ? PreprocessConfig.siglip(vision.imageSize())
                : PreprocessConfig.openaiClip(vision.imageSize());
        return new ClipConfig(siglip || bias != null ? SigLip.FAMILY : Clip.FAMILY, embedDim, vision, text, scale,
                bias == null ? null : bias.floatValue(), preprocess);
    }

    /** Whether our config has the SiglipModel layout (MAP head, no class token) rather than CLIPModel's. */
    public static boolean hasSiglipLayout(ClipConfig c) {
        return c.vision().pool().equals("map");
    }

    /** Our config as an HF config.json; fails for architectures neither HF class can express. */
    public static ObjectNode fromClipConfig(ClipConfig c) {
        boolean siglip = hasSiglipLayout(c);
        VisionConfig v = c.vision();
        TextConfig t = c.text();
        if (v.activation() != t.activation()) {
            throw new IllegalArgumentException("HF configs need one activation for both towers");
        }
        ObjectNode root = JSON.createObjectNode();
        root.put("model_type", siglip ? "siglip" : "clip");
        root.putArray("architectures").add(siglip ? "SiglipModel" : "CLIPModel");
        if (!siglip) {
            root.put("projection_dim", c.embedDim());
        }
        root.put("logit_scale_init_value", c.logitScaleInit());
        if (c.logitBiasInit() != null) {
            root.put("logit_bias_init", c.logitBiasInit());
        }
        ObjectNode vc = root.putObject("vision_config");
        vc.put("hidden_size", v.width()).put("intermediate_size", v.mlpHidden()).put("num_hidden_layers", v.layers())
                .put("num_attention_heads", v.heads()).put("image_size", v.imageSize()).put("patch_size", v.patchSize())
                .put("hidden_act", hfAct(v.activation())).put("layer_norm_eps", v.lnEps());
        ObjectNode tc = root.putObject("text_config");
        tc.put("vocab_size", t.vocabSize()).put("hidden_size", t.width()).put("intermediate_size", t.mlpHidden())
                .put("num_hidden_layers", t.layers()).put("num_attention_heads", t.heads())
                .put("max_position_embeddings", t.contextLength()).put("hidden_act", hfAct(t.activation()))
                .put("layer_norm_eps", t.lnEps());
        if (siglip) {
            tc.put("projection_size", c.embedDim());
        }
        return root;
    }

    private static String hfAct(Activation a) {
        return switch (a) {
            case GELU -> "gelu";
            case GELU_TANH -> "gelu_pytorch_tanh";
            case QUICK_GELU -> "quick_gelu";
            case RELU -> "relu";
            case SWIGLU -> throw new IllegalArgumentException("HF CLIP configs have no SwiGLU");
        };
    }
}
