package org.vlm4j.nn;

import ai.djl.ndarray.NDArray;

/**
 * Multi-head attention, the only one in vlm4j. Self-attention uses one fused QKV projection
 * ({@code qkv.weight [3D, D]}, rows q|k|v); cross-attention projects queries ({@code q}) from x and keys and values
 * ({@code kv [2D, Dctx]}, rows k|v) from the context. Heads are batched in one 4-D matmul. Masks are additive
 * (0 or -inf), broadcastable to [N, H, Lq, Lk]; see {@link Masks}. Optional QK-norm (LayerNorm over the head dim).
 */
public final class Attention extends Module {
    private final int heads;
    private final long dim;
    private final boolean cross;
    private final float scale;
    private final Linear qkv;
    private final Linear q;
    private final Linear kv;
    private final LayerNorm qNorm;
    private final LayerNorm kNorm;
    private final Linear proj;

    /**
     * @param contextDim the width of the context for cross-attention, or 0 for self-attention
     */
    public Attention(Init init, long dim, int heads, long contextDim, boolean qkvBias, boolean qkNorm, float lnEps) {
        this(init, dim, heads, contextDim, qkvBias, qkNorm, lnEps, 1 / Math.sqrt(2.0 * dim));
    }

    /** @param outStd init std of the output projection (which writes into the residual stream) */
    public Attention(Init init, long dim, int heads, long contextDim, boolean qkvBias, boolean qkNorm, float lnEps,
                     double outStd) {
        if (dim % heads != 0) {
            throw new IllegalArgumentException("width " + dim + " is not divisible by " + heads + " heads");
        }
        this.heads = heads;
        this.dim = dim;
        this.cross = contextDim > 0;
        long headDim = dim / heads;
        this.scale = (float) (1.0 / Math.sqrt(headDim));
        if (cross) {
            this.qkv = null;
            this.q = child("q", new Linear(init, dim, dim, qkvBias));
            this.kv = child("kv", new Linear(init, contextDim, 2 * dim, qkvBias));
        } else {
            this.qkv = child("qkv", new Linear(init, dim, 3 * dim, qkvBias));
            this.q = null;
            this.kv = null;
        }
        this.qNorm = qkNorm ? child("q_norm", new LayerNorm(init, headDim, lnEps)) : null;
        this.kNorm = qkNorm ? child("k_norm", new LayerNorm(init, headDim, lnEps)) : null;
        this.proj = child("proj", new Linear(init, dim, dim, true, outStd));
    }

    public boolean isCross() {
        return cross;
    }

    /** Self-attention over x [N, L, D]. */
    public NDArray forward(NDArray x, NDArray mask) {
        if (cross) {
            throw new IllegalStateException("a cross-attention layer needs a context");
        }
        long n = x.getShape().get(0);
        long l = x.getShape().get(1);
        NDArray packed = qkv.forward(x).reshape(n, l, 3, heads, dim / heads).transpose(2, 0, 3, 1, 4);
        return attend(packed.get(0), packed.get(1), packed.get(2), mask, n, l);
    }

    /**
     * Self-attention of new tokens x [N, Lnew, D] over the cached ones and themselves (generation). The mask, if
     * any, is [Lnew, Lcached + Lnew] (see {@link Masks#causal(ai.djl.ndarray.NDManager, int, int)}).
     */
    public NDArray forward(NDArray x, NDArray mask, KvCache cache, int layer) {
        if (cache == null) {
            return forward(x, mask);
        }
        if (cross) {
            throw new IllegalStateException("a cross-attention layer needs a context");
        }
        long n = x.getShape().get(0);
        long l = x.getShape().get(1);
        NDArray packed = qkv.forward(x).reshape(n, l, 3, heads, dim / heads).transpose(2, 0, 3, 1, 4);
        NDArray[] kv = cache.append(layer, packed.get(1), packed.get(2));
        return attend(packed.get(0), kv[0], kv[1], mask, n, l);
    }

    /** Cross-attention: queries from x [N, Lq, D], keys and values from context [N, Lk, Dctx]. */
    public NDArray forward(NDArray x, NDArray context, NDArray mask) {
        if (!cross) {
            throw new IllegalStateException("a self-attention layer takes no context");
        }
        long n = x.getShape().get(0);
        long lq = x.getShape().get(1);
        long lk = context.getShape().get(1);
        NDArray query = q.forward(x).reshape(n, lq, heads, dim / heads).transpose(0, 2, 1, 3);
        NDArray packed = kv.forward(context).reshape(n, lk, 2, heads, dim / heads).transpose(2, 0, 3, 1, 4);
        return attend(query, packed.get(0), packed.get(1), mask, n, lq);
    }

    private NDArray attend(NDArray query, NDArray key, NDArray value, NDArray mask, long n, long lq) {
        if (qNorm != null) {
            query = qNorm.forward(query);
            key = kNorm.forward(key);
        }
        NDArray scores = Scalars.mul(query, scale).matMul(key.transpose(0, 1, 3, 2));
        if (mask != null) {
            scores = scores.add(mask);
        }
        NDArray out = scores.softmax(-1).matMul(value); // [N, H, Lq, hd]
        return proj.forward(out.transpose(0, 2, 1, 3).reshape(n, lq, dim));
    }
}
