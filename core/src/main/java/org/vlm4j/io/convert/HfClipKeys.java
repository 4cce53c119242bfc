package org.vlm4j.io.convert;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HuggingFace {@code CLIPModel} and {@code SiglipModel} names. The two share the encoder layer layout
 * ({@code encoder.layers.N.self_attn.q_proj}...); they differ in embeddings, pooling heads and projections.
 */
public final class HfClipKeys implements KeyMap {
    private static final Pattern BLOCK = Pattern.compile("^(visual|text)\\.transformer\\.blocks\\.(\\d+)\\.(.+)$");
    private final boolean siglip;
    private final int visionWidth;

    /**
     * @param siglip      SiglipModel layout (MAP head, text head with bias, no class token) instead of CLIPModel's
     * @param visionWidth the vision width, needed to split SigLIP's packed head attention projection
     */
    public HfClipKeys(boolean siglip, int visionWidth) {
        this.siglip = siglip;
        this.visionWidth = visionWidth;
    }

    @Override
    public Recipe recipe(String ours) {
        Matcher m = BLOCK.matcher(ours);
        if (m.matches()) {
            String prefix = (m.group(1).equals("visual") ? "vision_model" : "text_model") + ".encoder.layers." + m.group(2)
                    + ".";
            return block(prefix, m.group(3));
        }
        long d = visionWidth;
        String head = "vision_model.head.";
        return switch (ours) {
            case "visual.patch_embed.weight" -> new Recipe.Rename("vision_model.embeddings.patch_embedding.weight");
            case "visual.patch_embed.bias" -> new Recipe.Rename("vision_model.embeddings.patch_embedding.bias");
            case "visual.cls_token" -> new Recipe.Rename("vision_model.embeddings.class_embedding");
            case "visual.pos_embed" -> new Recipe.PositionTable("vision_model.embeddings.position_embedding.weight",
                    siglip ? 0 : 1);
            case "visual.ln_pre.weight" -> new Recipe.Rename("vision_model.pre_layrnorm.weight");
            case "visual.ln_pre.bias" -> new Recipe.Rename("vision_model.pre_layrnorm.bias");
            case "visual.ln_post.weight" -> new Recipe.Rename("vision_model.post_layernorm.weight");
            case "visual.ln_post.bias" -> new Recipe.Rename("vision_model.post_layernorm.bias");
            case "visual.proj.weight" -> new Recipe.Rename("visual_projection.weight");
            case "visual.head.probe" -> new Recipe.Rename(head + "probe", new long[] {1, 1, d});
            case "visual.head.attn.q.weight" -> new Recipe.RowSlice(head + "attention.in_proj_weight", 0, d, 3 * d);
            case "visual.head.attn.kv.weight" -> new Recipe.RowSlice(head + "attention.in_proj_weight", d, 3 * d, 3 * d);
            case "visual.head.attn.q.bias" -> new Recipe.RowSlice(head + "attention.in_proj_bias", 0, d, 3 * d);
            case "visual.head.attn.kv.bias" -> new Recipe.RowSlice(head + "attention.in_proj_bias", d, 3 * d, 3 * d);
            case "visual.head.attn.proj.weight" -> new Recipe.Rename(head + "attention.out_proj.weight");
            case "visual.head.attn.proj.bias" -> new Recipe.Rename(head + "attention.out_proj.bias");
            case "visual.head.ln.weight" -> new Recipe.Rename(head + "layernorm.weight");
            case "visual.head.ln.bias" -> new Recipe.Rename(head + "layernorm.bias");
            case "visual.head.mlp.fc1.weight", "visual.head.mlp.fc1.bias", "visual.head.mlp.fc2.weight",
                    "visual.head.mlp.fc2.bias" -> new Recipe.Rename(head + ours.substring("visual.head.".length()));
            case "text.token_embed" -> new Recipe.Rename("text_model.embeddings.token_embedding.weight");
            case "text.pos_embed" -> new Recipe.Rename("text_model.embeddings.position_embedding.weight");
            case "text.ln_final.weight" -> new Recipe.Rename("text_model.final_layer_norm.weight");
            case "text.ln_final.bias" -> new Recipe.Rename("text_model.final_layer_norm.bias");
            case "text.proj.weight" -> new Recipe.Rename(siglip ? "text_model.head.weight" : "text_projection.weight");
            case "text.proj.bias" -> siglip ? new Recipe.Rename("text_model.head.bias") : null;
            // HF keeps these as [1] for SigLIP, 0-d for CLIP.
            case "logit_scale" -> new Recipe.Rename("logit_scale", siglip ? new long[] {1} : new long[0]);
            case "logit_bias" -> new Recipe.Rename("logit_bias", siglip ? new long[] {1} : new long[0]);
            default -> null;
        };
    }

    private static Recipe block(String p, String ours) {
        String a = p + "self_attn.";
        return switch (ours) {
            case "ln1.weight" -> new Recipe.Rename(p + "layer_norm1.weight");
            case "ln1.bias" -> new Recipe.Rename(p + "layer_norm1.bias");
            case "ln2.weight" -> new Recipe.Rename(p + "layer_norm2.weight");
            case "ln2.bias" -> new Recipe.Rename(p + "layer_norm2.bias");
            case "attn.qkv.weight" -> new Recipe.Concat(List.of(a + "q_proj.weight", a + "k_proj.weight", a + "v_proj.weight"));
            case "attn.qkv.bias" -> new Recipe.Concat(List.of(a + "q_proj.bias", a + "k_proj.bias", a + "v_proj.bias"));
            case "attn.proj.weight" -> new Recipe.Rename(a + "out_proj.weight");
            case "attn.proj.bias" -> new Recipe.Rename(a + "out_proj.bias");
            case "mlp.fc1.weight", "mlp.fc1.bias", "mlp.fc2.weight", "mlp.fc2.bias" -> new Recipe.Rename(p + ours);
            default -> null;
        };
    }

    @Override
    public boolean ignorable(String foreignKey) {
        return foreignKey.endsWith("position_ids");
    }
}
