package org.vlm4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;

/**
 * Next-token logits from the shared {@link Transformer} run causally (optionally cross-attending to a context):
 * the decoder of captioners (CoCa's multimodal decoder), token models and language models. With a {@link KvCache}
 * it takes only the new tokens, at positions after the cached ones.
 */
public final class TextDecoder extends Module {
    private final DecoderConfig config;
    private final Param tokenEmbed;
    private final Param posEmbed;
    private final Transformer transformer;
    private final Norm lnFinal;
    private final Linear head;

    public TextDecoder(Init init, DecoderConfig c) {
        this.config = c;
        this.tokenEmbed = param("token_embed", init.normal(0.02, c.vocabSize(), c.width()));
        this.posEmbed = c.rope() ? null : param("pos_embed", init.normal(0.01, c.contextLength(), c.width()));
        this.transformer = child("transformer", new Transformer(init, c.block(), c.layers()));
        this.lnFinal = (Norm) child("ln_final", Norm.create(init, c.width(), c.lnEps(), "rms".equals(c.norm())));
        this.head = c.tiedHead() ? null : child("head", new Linear(init, c.width(), c.vocabSize(), false));
    }

    public DecoderConfig config() {
        return config;
    }

    /** The whole sequence at once (training): ids [N, L] -> logits [N, L, V]. */
    public NDArray logits(NDArray ids, NDArray context, NDArray contextMask) {
        return logits(ids, context, contextMask, null);
    }

    /**
     * ids [N, Lnew] (int64) at positions {@code cache.length()...} (0 without a cache) -> logits [N, Lnew, V];
     * with a cache, the new tokens' keys and values are appended to it.
     */
    public NDArray logits(NDArray ids, NDArray context, NDArray contextMask, KvCache cache) {
        if (ids.getShape().dimension() != 2) {
            throw new IllegalArgumentException("decoder input ids must be [N, L], got " + ids.getShape());
        }
        return logitsFromEmbeddings(embedTokens(ids), context, contextMask, cache);
    }

    /** Token embeddings without positions: ids [N, L] -> [N, L, D]; bridges splice their prefix embeddings in here. */
    public NDArray embedTokens(NDArray ids) {
        return Embedding.embedding(ids, tokenEmbed.array(), SparseFormat.DENSE).singletonOrThrow();
    }

    /**
     * Input embeddings x [N, Lnew, D] (from {@link #embedTokens} and/or a bridge's soft prompt) at positions
     * {@code cache.length()...} -> logits [N, Lnew, V]. Positions are added here, so prefixes and tokens share them.
     */
    public NDArray logitsFromEmbeddings(NDArray x, NDArray context, NDArray contextMask, KvCache cache) {
        return head(hiddenFromEmbeddings(x, context, contextMask, cache));
    }

    /** The language-model head: final hidden states [N, L, D] -> logits [N, L, V]. */
    public NDArray head(NDArray hidden) {
        return head == null ? ai.djl.nn.core.Linear.linear(hidden, tokenEmbed.array()).singletonOrThrow()
                : head.forward(hidden);
    }

    /**
     * As {@link #logitsFromEmbeddings} without the head: the hidden states after ln_final [N, Lnew, D] (MiniGPT-5
     * maps those of its generative tokens to an image decoder's conditioning).
     */
    public NDArray hiddenFromEmbeddings(NDArray x, NDArray context, NDArray contextMask, KvCache cache) {
        Shape s = x.getShape();
        int past = cache == null ? 0 : cache.length();
        if (s.dimension() != 3 || s.get(2) != config.width() || past + s.get(1) > config.contextLength()) {
            throw new IllegalArgumentException("decoder input must be [N, L, " + config.width() + "] with " + past
                    + " cached + L <= " + config.contextLength() + " positions, got " + s);
        }
        int l = (int) s.get(1);
        if (posEmbed != null) { // with RoPE, positions enter in self-attention instead
            x = x.add(posEmbed.array().get(past + ":" + (past + l) + ", :"));
        }
        NDArray mask = cache == null ? Masks.causal(x.getManager(), l) : Masks.causal(x.getManager(), past, l);
        return lnFinal.forward(transformer.forward(x, mask, context, contextMask, cache));
    }
}
