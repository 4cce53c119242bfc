package org.vlm4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Qwen-VL's position-aware vision-language adapter: one cross-attention layer in which a fixed number of learned
 * queries read the image tokens, compressing a grid of any size to {@code queries} tokens. The image tokens are
 * projected to the adapter width ({@code kv_proj}), normalised ({@code ln_kv}) and given 2-D sin-cos positions (a
 * table for the configured grid, bicubically resized by {@link PosEmbed} for another grid, as Qwen-VL's get_abs_pos);
 * queries are normalised ({@code ln_q}); the output is normalised ({@code ln_post}).
 *
 * <p>One simplification: Qwen-VL adds the positions to the keys only; the shared {@link Attention} projects keys and
 * values from one context, so here the values see them too.
 */
public final class Resampler extends Module {
    private final int queries;
    private final int width;
    private final int grid;
    private final Param query;
    private final Linear kvProj;
    private final LayerNorm lnQ;
    private final LayerNorm lnKv;
    private final Attention attn;
    private final LayerNorm lnPost;
    private final float[] pos;

    /**
     * @param contextDim width of the image tokens
     * @param grid       side of the image-token grid the positional table is made for
     */
    public Resampler(Init init, int queries, int width, int heads, int contextDim, int grid, float lnEps) {
        if (queries <= 0 || grid <= 0) {
            throw new IllegalArgumentException("resampler queries and grid must be positive, got " + queries + " and "
                    + grid);
        }
        this.queries = queries;
        this.width = width;
        this.grid = grid;
        this.query = param("query", init.normal(0.02, queries, width));
        this.kvProj = child("kv_proj", new Linear(init, contextDim, width, false));
        this.lnQ = child("ln_q", new LayerNorm(init, width, lnEps));
        this.lnKv = child("ln_kv", new LayerNorm(init, width, lnEps));
        this.attn = child("attn", new Attention(init, width, heads, width, true, false, lnEps));
        this.lnPost = child("ln_post", new LayerNorm(init, width, lnEps));
        this.pos = sinCos2d(width, grid, grid);
    }

    public int queries() {
        return queries;
    }

    /** image tokens [N, gh * gw, Dctx] (patch tokens only, row-major grid) -> [N, queries, width]. */
    public NDArray forward(NDArray tokens, int gh, int gw) {
        Shape s = tokens.getShape();
        if (s.dimension() != 3 || s.get(1) != (long) gh * gw) {
            throw new IllegalArgumentException("resampler input must be [N, " + gh + "x" + gw + " tokens, D], got " + s);
        }
        long n = s.get(0);
        float[] table = gh == grid && gw == grid ? pos : PosEmbed.resize(pos, width, 0, grid, grid, gh, gw);
        NDArray p = tokens.getManager().create(table, new Shape((long) gh * gw, width));
        NDArray ctx = lnKv.forward(kvProj.forward(tokens)).add(p);
        NDArray q = lnQ.forward(query.array()).expandDims(0).broadcast(n, queries, width);
        return lnPost.forward(attn.forward(q, ctx, null));
    }

    /**
     * MAE's 2-D sin-cos table [h * w, dim] (row-major): the first half of the channels encodes the column, the second
     * the row, each as sin | cos at frequencies 10000^(-k / (dim/4)).
     */
    public static float[] sinCos2d(int dim, int h, int w) {
        if (dim % 4 != 0) {
            throw new IllegalArgumentException("2-D sin-cos positions need a width divisible by 4, got " + dim);
        }
        int quarter = dim / 4;
        float[] out = new float[h * w * dim];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int o = (y * w + x) * dim;
                for (int k = 0; k < quarter; k++) {
                    double omega = Math.pow(10000, -k / (double) quarter);
                    out[o + k] = (float) Math.sin(x * omega);
                    out[o + quarter + k] = (float) Math.cos(x * omega);
                    out[o + 2 * quarter + k] = (float) Math.sin(y * omega);
                    out[o + 3 * quarter + k] = (float) Math.cos(y * omega);
                }
            }
        }
        return out;
    }
}
