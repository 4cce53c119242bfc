package org.vlm4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Multi-head attention, the only one in vlm4j. Self-attention uses one fused QKV projection
 * ({@code qkv.weight [3D, D]}, rows q|k|v); cross-attention projects queries ({@code q}) from x and keys and values
 * ({@code kv [2D, Dctx]}, rows k|v) from the context. Heads are batched in one 4-D matmul. Masks are additive
 * (0 or -inf), broadcastable to [N, H, Lq, Lk]; see {@link Masks}. Optional QK-norm (LayerNorm over the head dim).
 */
public final class Attention extends Module {
    private final int heads;
    private final int kvHeads;
    private final float ropeTheta;
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
        this(init, dim, heads, contextDim, qkvBias, qkNorm, lnEps, outStd, heads, 0f, true);
    }

    /**
     * With the Llama-family options (self-attention only): {@code kvHeads} key/value heads shared by groups of
     * query heads (grouped-query attention; the fused {@code qkv.weight} is then [(heads + 2 kvHeads) hd, D], rows
     * q|k|v), rotary embeddings of base {@code ropeTheta} (0: none) on queries and keys, and {@code projBias}.
     */
    public Attention(Init init, long dim, int heads, long contextDim, boolean qkvBias, boolean qkNorm, float lnEps,
                     double outStd, int kvHeads, float ropeTheta, boolean projBias) {
        if (dim % heads != 0) {
            throw new IllegalArgumentException("width " + dim + " is not divisible by " + heads + " heads");
        }
        if (kvHeads <= 0 || heads % kvHeads != 0 || (contextDim > 0 && (kvHeads != heads || ropeTheta != 0))) {
            throw new IllegalArgumentException("kv heads " + kvHeads + " must divide heads " + heads + " (and"
                    + " cross-attention takes neither grouped keys nor rotary embeddings)");
        }
        this.heads = heads;
        this.kvHeads = kvHeads;
        this.ropeTheta = ropeTheta;
        this.dim = dim;
        this.cross = contextDim > 0;
        long headDim = dim / heads;
        this.scale = (float) (1.0 / Math.sqrt(headDim));
        if (cross) {
            this.qkv = null;
            this.q = child("q", new Linear(init, dim, dim, qkvBias));
            this.kv = child("kv", new Linear(init, contextDim, 2 * dim, qkvBias));
        } else {
            this.qkv = child("qkv", new Linear(init, dim, dim + 2 * dim / heads * kvHeads, qkvBias));
            this.q = null;
            this.kv = null;
        }
        this.qNorm = qkNorm ? child("q_norm", new LayerNorm(init, headDim, lnEps)) : null;
        this.kNorm = qkNorm ? child("k_norm", new LayerNorm(init, headDim, lnEps)) : null;
        this.proj = child("proj", new Linear(init, dim, dim, projBias, outStd));
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
        if (kvHeads != heads || ropeTheta > 0) {
            NDArray[] qkvs = grouped(x, 0);
            return attend(qkvs[0], repeatKv(qkvs[1]), repeatKv(qkvs[2]), mask, n, l);
        }
        NDArray packed = qkv.forward(x).reshape(n, l, 3, heads, dim / heads).transpose(2, 0, 3, 1, 4);
        return attend(packed.get(0), packed.get(1), packed.get(2), mask, n, l);
    }

    /** Queries [N, H, L, hd] and keys, values [N, Hkv, L, hd] of x at positions offset..., rotated if RoPE. */
    private NDArray[] grouped(NDArray x, int offset) {
        long n = x.getShape().get(0);
        long l = x.getShape().get(1);
        long hd = dim / heads;
        ai.djl.ndarray.NDList parts = qkv.forward(x).split(new long[] {dim, dim + kvHeads * hd}, 2);
        NDArray query = parts.get(0).reshape(n, l, heads, hd).transpose(0, 2, 1, 3);
        NDArray key = parts.get(1).reshape(n, l, kvHeads, hd).transpose(0, 2, 1, 3);
        NDArray value = parts.get(2).reshape(n, l, kvHeads, hd).transpose(0, 2, 1, 3);
        if (ropeTheta > 0) {
            if (qNorm != null) { // QK-norm comes before the rotation (Qwen3, OLMo-2 style)
                query = qNorm.forward(query);
                key = kNorm.forward(key);
            }
            query = Rope.apply(query, offset, ropeTheta);
            key = Rope.apply(key, offset, ropeTheta);
        }
        return new NDArray[] {query, key, value};
    }

    /** [N, Hkv, L, hd] -> [N, H, L, hd]: key/value head j serves query heads j * group ... (j + 1) * group - 1. */
    private NDArray repeatKv(NDArray kv) {
        if (kvHeads == heads) {
            return kv;
        }
        Shape s = kv.getShape();
        return kv.expandDims(2).repeat(2, heads / kvHeads).reshape(s.get(0), heads, s.get(2), s.get(3));
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
        if (kvHeads != heads || ropeTheta > 0) {
            NDArray[] qkvs = grouped(x, cache.length()); // the cache holds the compact (and rotated) keys
            NDArray[] kv = cache.append(layer, qkvs[1], qkvs[2]);
            return attend(qkvs[0], repeatKv(kv[0]), repeatKv(kv[1]), mask, n, l);
        }
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
        if (qNorm != null && ropeTheta == 0) { // with RoPE, normalised before the rotation (see grouped)
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
