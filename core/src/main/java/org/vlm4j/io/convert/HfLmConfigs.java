package org.vlm4j.io.convert;

import com.fasterxml.jackson.databind.JsonNode;
import org.vlm4j.model.lm.LmConfig;
import org.vlm4j.nn.Activation;
import org.vlm4j.nn.DecoderConfig;

/** Reads HuggingFace {@code config.json} files of causal language models (GPT-2, Llama) into our {@link LmConfig}. */
public final class HfLmConfigs {
    private HfLmConfigs() {}

    /** GPT2LMHeadModel / GPT2Model: learned positions, LayerNorm, tanh GELU, tied embeddings, biased layers. */
    public static LmConfig gpt2(JsonNode json, String file) {
        JsonFields f = new JsonFields(json, file);
        int d = f.requiredInt("n_embd");
        int heads = f.requiredInt("n_head");
        int inner = f.has("n_inner") ? f.requiredInt("n_inner") : 4 * d;
        int positions = f.has("n_positions") ? f.requiredInt("n_positions") : f.requiredInt("n_ctx");
        f.unsupportedIfSet("scale_attn_by_inverse_layer_idx", "vlm4j's attention scales by 1/sqrt(head_dim) only");
        f.unsupportedIfSet("reorder_and_upcast_attn", "not implemented");
        if (!f.boolOr("tie_word_embeddings", true)) {
            throw new IllegalArgumentException(file + ": GPT-2 with untied embeddings is not supported");
        }
        return new LmConfig(new DecoderConfig(f.requiredInt("vocab_size"), positions, d, f.requiredInt("n_layer"),
                heads, inner, Activation.parse(f.stringOr("activation_function", "gelu_new")),
                (float) f.doubleOr("layer_norm_epsilon", 1e-5), false, 0, true));
    }

    /** LlamaForCausalLM (and its relatives without extra options): RoPE, RMSNorm, SwiGLU, grouped-query attention. */
    public static LmConfig llama(JsonNode json, String file) {
        JsonFields f = new JsonFields(json, file);
        int d = f.requiredInt("hidden_size");
        int heads = f.requiredInt("num_attention_heads");
        int kv = f.intOr("num_key_value_heads", heads);
        if (f.has("head_dim") && f.requiredInt("head_dim") != d / heads) {
            throw new IllegalArgumentException(file + ": head_dim " + f.requiredInt("head_dim") + " differs from"
                    + " hidden_size / num_attention_heads (" + d / heads + "); not supported");
        }
        f.unsupportedIfSet("rope_scaling", "only plain RoPE is implemented (no scaled or extended variants)");
        String act = f.stringOr("hidden_act", "silu");
        if (!act.equals("silu")) {
            throw new IllegalArgumentException(file + ": hidden_act '" + act + "' (only silu, i.e. SwiGLU)");
        }
        boolean bias = f.boolOr("attention_bias", false);
        if (f.boolOr("mlp_bias", false) != bias) {
            throw new IllegalArgumentException(file + ": attention_bias and mlp_bias must agree (got " + bias + " and "
                    + !bias + ")");
        }
        boolean tied = f.boolOr("tie_word_embeddings", false);
        return new LmConfig(new DecoderConfig(f.requiredInt("vocab_size"), f.intOr("max_position_embeddings", 2048), d,
                f.requiredInt("num_hidden_layers"), heads, f.requiredInt("intermediate_size"), Activation.SWIGLU,
                (float) f.doubleOr("rms_norm_eps", 1e-6), false, 0, tied, kv, "rms", "rope",
                (float) f.doubleOr("rope_theta", 10000), bias, bias));
    }
}
