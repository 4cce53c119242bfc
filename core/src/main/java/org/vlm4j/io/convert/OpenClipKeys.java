package org.vlm4j.io.convert;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** OpenCLIP's CLIP state_dict names ({@code visual.conv1.weight}, {@code transformer.resblocks.N.attn.in_proj_weight}...). */
public final class OpenClipKeys implements KeyMap {
    private static final Pattern BLOCK = Pattern.compile("^(visual\\.|text\\.)transformer\\.blocks\\.(\\d+)\\.(.+)$");

    @Override
    public Recipe recipe(String ours) {
        Matcher m = BLOCK.matcher(ours);
        if (m.matches()) {
            String prefix = (m.group(1).equals("visual.") ? "visual." : "") + "transformer.resblocks." + m.group(2) + ".";
            String rest = block(m.group(3));
            return rest == null ? null : new Recipe.Rename(prefix + rest);
        }
        return switch (ours) {
            case "visual.patch_embed.weight" -> new Recipe.Rename("visual.conv1.weight");
            case "visual.cls_token" -> new Recipe.Rename("visual.class_embedding");
            case "visual.pos_embed" -> new Recipe.PositionTable("visual.positional_embedding", 1);
            case "visual.ln_pre.weight", "visual.ln_pre.bias", "visual.ln_post.weight", "visual.ln_post.bias" ->
                    new Recipe.Rename(ours);
            case "visual.proj.weight" -> new Recipe.Transpose("visual.proj");
            case "text.token_embed" -> new Recipe.Rename("token_embedding.weight");
            case "text.pos_embed" -> new Recipe.Rename("positional_embedding");
            case "text.ln_final.weight" -> new Recipe.Rename("ln_final.weight");
            case "text.ln_final.bias" -> new Recipe.Rename("ln_final.bias");
            case "text.proj.weight" -> new Recipe.Transpose("text_projection");
            case "text.proj.bias" -> new Recipe.Rename("text_projection.bias");
            case "logit_scale", "logit_bias" -> new Recipe.Rename(ours);
            default -> null;
        };
    }

    /** Our block-relative names -> OpenCLIP's ResidualAttentionBlock names. */
    static String block(String ours) {
        return switch (ours) {
            case "ln1.weight" -> "ln_1.weight";
            case "ln1.bias" -> "ln_1.bias";
            case "ln2.weight" -> "ln_2.weight";
            case "ln2.bias" -> "ln_2.bias";
            case "attn.qkv.weight" -> "attn.in_proj_weight";
            case "attn.qkv.bias" -> "attn.in_proj_bias";
            case "attn.proj.weight" -> "attn.out_proj.weight";
            case "attn.proj.bias" -> "attn.out_proj.bias";
            case "attn.q_norm.weight" -> "attn.ln_q.weight";
            case "attn.q_norm.bias" -> "attn.ln_q.bias";
            case "attn.k_norm.weight" -> "attn.ln_k.weight";
            case "attn.k_norm.bias" -> "attn.ln_k.bias";
            case "mlp.fc1.weight" -> "mlp.c_fc.weight";
            case "mlp.fc1.bias" -> "mlp.c_fc.bias";
            case "mlp.fc2.weight" -> "mlp.c_proj.weight";
            case "mlp.fc2.bias" -> "mlp.c_proj.bias";
            case "ls1.gamma" -> "ls_1.gamma";
            case "ls2.gamma" -> "ls_2.gamma";
            default -> null;
        };
    }

    @Override
    public boolean ignorable(String foreignKey) {
        return foreignKey.equals("attn_mask") || foreignKey.endsWith(".attn_mask");
    }
}
