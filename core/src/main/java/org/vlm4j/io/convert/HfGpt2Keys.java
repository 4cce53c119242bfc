package org.vlm4j.io.convert;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HuggingFace GPT-2 names ({@code GPT2LMHeadModel}: {@code transformer.h.N...}; {@code GPT2Model}: {@code h.N...})
 * for an {@link org.vlm4j.model.lm.LanguageModel}. GPT-2's Conv1D layers store weights [in, out], ours are
 * [out, in]: every projection is transposed. The fused c_attn (rows q|k|v after transposing) is our qkv as is.
 */
public final class HfGpt2Keys implements KeyMap {
    private static final Pattern BLOCK = Pattern.compile("^decoder\\.transformer\\.blocks\\.(\\d+)\\.(.+)$");
    private final String prefix;

    /** @param prefix "transformer." for GPT2LMHeadModel checkpoints, "" for GPT2Model ones */
    public HfGpt2Keys(String prefix) {
        this.prefix = prefix;
    }

    /** The prefix the checkpoint's keys use, told by where its token embedding is. */
    public static String prefixOf(java.util.Set<String> keys) {
        return keys.contains("transformer.wte.weight") ? "transformer." : "";
    }

    @Override
    public Recipe recipe(String ours) {
        Matcher m = BLOCK.matcher(ours);
        if (m.matches()) {
            String h = prefix + "h." + m.group(1) + ".";
            return switch (m.group(2)) {
                case "ln1.weight" -> new Recipe.Rename(h + "ln_1.weight");
                case "ln1.bias" -> new Recipe.Rename(h + "ln_1.bias");
                case "attn.qkv.weight" -> new Recipe.Transpose(h + "attn.c_attn.weight");
                case "attn.qkv.bias" -> new Recipe.Rename(h + "attn.c_attn.bias");
                case "attn.proj.weight" -> new Recipe.Transpose(h + "attn.c_proj.weight");
                case "attn.proj.bias" -> new Recipe.Rename(h + "attn.c_proj.bias");
                case "ln2.weight" -> new Recipe.Rename(h + "ln_2.weight");
                case "ln2.bias" -> new Recipe.Rename(h + "ln_2.bias");
                case "mlp.fc1.weight" -> new Recipe.Transpose(h + "mlp.c_fc.weight");
                case "mlp.fc1.bias" -> new Recipe.Rename(h + "mlp.c_fc.bias");
                case "mlp.fc2.weight" -> new Recipe.Transpose(h + "mlp.c_proj.weight");
                case "mlp.fc2.bias" -> new Recipe.Rename(h + "mlp.c_proj.bias");
                default -> null;
            };
        }
        return switch (ours) {
            case "decoder.token_embed" -> new Recipe.Rename(prefix + "wte.weight");
            case "decoder.pos_embed" -> new Recipe.Rename(prefix + "wpe.weight");
            case "decoder.ln_final.weight" -> new Recipe.Rename(prefix + "ln_f.weight");
            case "decoder.ln_final.bias" -> new Recipe.Rename(prefix + "ln_f.bias");
            default -> null;
        };
    }

    /** The causal-mask buffers of older checkpoints, and the tied head (a copy of wte) when it was saved. */
    @Override
    public boolean ignorable(String foreignKey) {
        return foreignKey.endsWith(".attn.bias") || foreignKey.endsWith(".attn.masked_bias")
                || foreignKey.equals("lm_head.weight");
    }
}
