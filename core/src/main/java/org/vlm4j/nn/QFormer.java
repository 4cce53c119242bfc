package org.vlm4j.nn;

import ai.djl.ndarray.NDArray;

/**
 * BLIP-2's Querying Transformer: {@code queries} learned query tokens in a bidirectional transformer (the shared
 * {@link Transformer}) whose layers cross-attend to the frozen image features every {@code crossEvery}-th layer
 * (BLIP-2: every other). Text tokens may share the self-attention layers with the queries (image-text matching and
 * image-grounded generation); only the queries cross-attend to the image. The attention mask decides what sees what.
 *
 * <p>Departures from BLIP-2: pre-LN blocks with a final LayerNorm (BLIP-2 is post-LN BERT), and one feed-forward for
 * queries and text (BLIP-2 keeps a separate one for the queries).
 */
public final class QFormer extends Module {
    private final int queries;
    private final int width;
    private final Param query;
    private final Transformer transformer;
    private final LayerNorm lnFinal;

    /**
     * @param contextDim width of the image features
     * @param crossEvery layer i cross-attends iff i % crossEvery == 0
     */
    public QFormer(Init init, int queries, int width, int layers, int heads, int mlpHidden, int contextDim,
                   int crossEvery, float lnEps) {
        if (queries <= 0 || crossEvery <= 0) {
            throw new IllegalArgumentException("Q-Former queries and cross_every must be positive, got " + queries
                    + " and " + crossEvery);
        }
        this.queries = queries;
        this.width = width;
        this.query = param("query", init.normal(0.02, queries, width));
        BlockConfig c = new BlockConfig(width, heads, mlpHidden, Activation.GELU, lnEps, true, false, 0f, true,
                contextDim);
        this.transformer = child("transformer", new Transformer(init, c, layers, i -> i % crossEvery == 0));
        this.lnFinal = child("ln_final", new LayerNorm(init, width, lnEps));
    }

    public int queries() {
        return queries;
    }

    public int width() {
        return width;
    }

    /** Image features [N, T, Dctx] -> query outputs [N, queries, width] (queries alone: stage 2, contrastive). */
    public NDArray forward(NDArray image) {
        long n = image.getShape().get(0);
        NDArray q = query.array().expandDims(0).broadcast(n, queries, width);
        return lnFinal.forward(transformer.forward(q, null, image, null, queries));
    }

    /**
     * Queries and text embeddings [N, L, width] together: [N, queries + L, width]. {@code mask} (additive,
     * broadcastable to [N, H, queries + L, queries + L]) sets who sees whom; image null means text alone (no queries).
     */
    public NDArray forward(NDArray image, NDArray text, NDArray mask) {
        if (image == null) {
            return lnFinal.forward(transformer.forward(text, mask, null, null, 0));
        }
        long n = text.getShape().get(0);
        NDArray q = query.array().expandDims(0).broadcast(n, queries, width);
        return lnFinal.forward(transformer.forward(q.concat(text, 1), mask, image, null, queries));
    }
}
