package org.vlm4j.io.convert;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.vlm4j.nn.DecoderConfig;

/**
 * HuggingFace Llama names ({@code LlamaForCausalLM}: {@code model.layers.N.self_attn.q_proj.weight}, ...) for an
 * {@link org.vlm4j.model.lm.LanguageModel}. q, k and v projections are stacked into our fused qkv (rows q|k|v, with
 * fewer k and v rows under grouped-query attention), gate and up into our SwiGLU fc1 (gate first). HF stores q and k
 * already permuted for rotate_half RoPE, which is the layout {@link org.vlm4j.nn.Rope} uses.
 */
public final class HfLlamaKeys implements KeyMap {
    private static final Pattern BLOCK = Pattern.compile("^decoder\\.transformer\\.blocks\\.(\\d+)\\.(.+)$");
    private final long qRows;
    private final long kvRows;
    private final long hidden;

    public HfLlamaKeys(DecoderConfig c) {
        long headDim = c.width() / c.heads();
        this.qRows = c.width();
        this.kvRows = headDim * (c.kvHeads() == 0 ? c.heads() : c.kvHeads());
        this.hidden = c.mlpHidden();
    }

    @Override
    public Recipe recipe(String ours) {
        Matcher m = BLOCK.matcher(ours);
        if (m.matches()) {
            String p = "model.layers." + m.group(1) + ".";
            String a = p + "self_attn.";
            return switch (m.group(2)) {
                case "ln1.weight" -> new Recipe.Rename(p + "input_layernorm.weight");
                case "attn.qkv.weight" -> new Recipe.ConcatRows(List.of(a + "q_proj.weight", a + "k_proj.weight",
                        a + "v_proj.weight"), List.of(qRows, kvRows, kvRows));
                case "attn.qkv.bias" -> new Recipe.ConcatRows(List.of(a + "q_proj.bias", a + "k_proj.bias",
                        a + "v_proj.bias"), List.of(qRows, kvRows, kvRows));
                case "attn.proj.weight" -> new Recipe.Rename(a + "o_proj.weight");
                case "attn.proj.bias" -> new Recipe.Rename(a + "o_proj.bias");
                case "ln2.weight" -> new Recipe.Rename(p + "post_attention_layernorm.weight");
                case "mlp.fc1.weight" -> new Recipe.ConcatRows(List.of(p + "mlp.gate_proj.weight",
                        p + "mlp.up_proj.weight"), List.of(hidden, hidden));
                case "mlp.fc1.bias" -> new Recipe.ConcatRows(List.of(p + "mlp.gate_proj.bias",
                        p + "mlp.up_proj.bias"), List.of(hidden, hidden));
                case "mlp.fc2.weight" -> new Recipe.Rename(p + "mlp.down_proj.weight");
                case "mlp.fc2.bias" -> new Recipe.Rename(p + "mlp.down_proj.bias");
                default -> null;
            };
        }
        return switch (ours) {
            case "decoder.token_embed" -> new Recipe.Rename("model.embed_tokens.weight");
            case "decoder.ln_final.weight" -> new Recipe.Rename("model.norm.weight");
            case "decoder.head.weight" -> new Recipe.Rename("lm_head.weight");
            default -> null;
        };
    }

    /** RoPE's inverse-frequency buffers (recomputed from rope_theta), and a tied head saved as a copy. */
    @Override
    public boolean ignorable(String foreignKey) {
        return foreignKey.endsWith("rotary_emb.inv_freq") || foreignKey.equals("lm_head.weight");
    }
}
