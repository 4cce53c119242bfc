package org.vlm4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;

/** The text tower: token + positional embeddings, causal or bidirectional blocks, ln_final, pooling, projection. */
public final class TextTransformer extends Module {
    private final TextConfig config;
    private final Param tokenEmbed;
    private final Param posEmbed;
    private final Transformer transformer;
    private final LayerNorm lnFinal;
    private final Linear proj;

    public TextTransformer(Init init, TextConfig c) {
        this.config = c;
        this.tokenEmbed = param("token_embed", init.normal(0.02, c.vocabSize(), c.width()));
        this.posEmbed = param("pos_embed", init.normal(0.01, c.contextLength(), c.width()));
        this.transformer = child("transformer", new Transformer(init, c.block(), c.layers()));
        this.lnFinal = child("ln_final", new LayerNorm(init, c.width(), c.lnEps()));
        this.proj = c.outputDim() > 0 ? child("proj", new Linear(init, c.width(), c.outputDim(), c.projBias())) : null;
    }

    public TextConfig config() {
        return config;
    }

    public int outputDim() {
        return config.outputDim() > 0 ? config.outputDim() : config.width();
    }

    /** ids [N, L] (int64, L <= context length) -> all tokens after ln_final [N, L, D]. */
    public NDArray tokens(NDArray ids) {
        return tokens(ids, null);
    }

    /** As {@link #tokens(NDArray)}, keys where {@code keyValid} [N, L] is 0 (padding) hidden from attention. */
    public NDArray tokens(NDArray ids, NDArray keyValid) {
        Shape s = ids.getShape();
        if (s.dimension() != 2 || s.get(1) > config.contextLength()) {
            throw new IllegalArgumentException("input_ids must be [N, L] with L <= " + config.contextLength()
                    + ", got " + s);
        }
        int l = (int) s.get(1);
        NDArray x = Embedding.embedding(ids, tokenEmbed.array(), SparseFormat.DENSE).singletonOrThrow();
        NDArray pos = l == config.contextLength() ? posEmbed.array() : posEmbed.array().get("0:" + l + ", :");
        x = x.add(pos);
        NDArray mask = config.causal() ? Masks.causal(ids.getManager(), l) : null;
        if (keyValid != null) {
            mask = Masks.combine(mask, Masks.keyPadding(keyValid));
        }
        return lnFinal.forward(transformer.forward(x, mask));
    }

    /** tokens [N, L, D] -> pooled [N, D]; "argmax" pools at the first occurrence of the highest id (CLIP's EOT). */
    public NDArray pool(NDArray tokens, NDArray ids) {
        long l = ids.getShape().get(1);
        return switch (config.pool()) {
            case "first" -> tokens.get(":, 0, :");
            case "last" -> tokens.get(":, -1, :");
            case "argmax" -> {
                NDArray onehot = ids.argMax(1).oneHot((int) l).toType(DataType.FLOAT32, false); // [N, L]
                yield onehot.expandDims(1).matMul(tokens).squeeze(1);
            }
            default -> throw new IllegalStateException(config.pool());
        };
    }

    /** ids -> pooled and projected features [N, outputDim] (not normalised). */
    public NDArray encode(NDArray ids) {
        NDArray pooled = pool(tokens(ids), ids);
        return proj == null ? pooled : proj.forward(pooled);
    }
}
