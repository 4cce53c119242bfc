package org.vlm4j.nn;

import ai.djl.ndarray.NDArray;

/**
 * Pools a token sequence with learned queries through cross-attention. With {@code mlp} it is SigLIP's MAP head
 * (probe -> attention -> x + mlp(ln(x))); without, plain attention pooling. Returns [N, queries, D].
 */
public final class AttentionPool extends Module {
    private final Param probe;
    private final Attention attn;
    private final LayerNorm ln;
    private final Mlp mlp;
    private final long dim;
    private final int queries;

    public AttentionPool(Init init, long dim, int heads, int queries, boolean mlp, long mlpHidden, Activation act,
                         float lnEps) {
        this.dim = dim;
        this.queries = queries;
        this.probe = param("probe", init.normal(0.02, queries, dim));
        this.attn = child("attn", new Attention(init, dim, heads, dim, true, false, lnEps));
        this.ln = mlp ? child("ln", new LayerNorm(init, dim, lnEps)) : null;
        this.mlp = mlp ? child("mlp", new Mlp(init, dim, mlpHidden, act, true)) : null;
    }

    public NDArray forward(NDArray x) {
        long n = x.getShape().get(0);
        NDArray q = probe.array().broadcast(n, queries, dim);
        NDArray out = attn.forward(q, x, null);
        return mlp == null ? out : out.add(mlp.forward(ln.forward(out)));
    }
}
