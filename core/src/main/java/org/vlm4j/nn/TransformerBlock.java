package org.vlm4j.nn;

import ai.djl.ndarray.NDArray;

/**
 * Pre-LN block: x += ls1(attn(ln1(x))); [x += cross(ln_cross(x), ctx)]; x += ls2(mlp(ln2(x))). With
 * {@link BlockConfig#CHAMELEON_NORM} the same LayerNorms move onto the sub-layers' outputs (Chameleon's order):
 * x += ls1(ln1(attn(x))); [x += ln_cross(cross(x, ctx))]; x += ls2(ln2(mlp(x))).
 */
public final class TransformerBlock extends Module {
    private final Norm ln1;
    private final Attention attn;
    private final LayerScale ls1;
    private final Norm lnCross;
    private final Attention crossAttn;
    private final Norm ln2;
    private final Mlp mlp;
    private final LayerScale ls2;
    private final boolean normAfter;

    public TransformerBlock(Init init, BlockConfig c) {
        this(init, c, 1);
    }

    /**
     * @param depth blocks in the stack: the layers writing into the residual stream start at std
     *              {@code width^-1/2 (2 depth)^-1/2} (OpenCLIP / GPT-2), so the stream's scale does not grow with depth
     */
    public TransformerBlock(Init init, BlockConfig c, int depth) {
        double outStd = 1 / Math.sqrt(c.width() * 2.0 * depth);
        normAfter = c.chameleonNorm();
        ln1 = norm("ln1", init, c);
        attn = child("attn", new Attention(init, c.width(), c.heads(), 0, c.qkvBias(), c.qkNorm(), c.lnEps(),
                outStd, c.kvHeads(), c.ropeTheta(), c.linearBias()));
        ls1 = c.layerScaleInit() > 0 ? child("ls1", new LayerScale(init, c.width(), c.layerScaleInit())) : null;
        if (c.crossAttention()) {
            lnCross = norm("ln_cross", init, c);
            crossAttn = child("cross_attn", new Attention(init, c.width(), c.heads(),
                    c.contextDim() > 0 ? c.contextDim() : c.width(), c.qkvBias(), c.qkNorm(), c.lnEps(), outStd,
                    c.heads(), 0f, c.linearBias()));
        } else {
            lnCross = null;
            crossAttn = null;
        }
        ln2 = norm("ln2", init, c);
        mlp = child("mlp", new Mlp(init, c.width(), c.mlpHidden(), c.activation(), c.linearBias(), outStd));
        ls2 = c.layerScaleInit() > 0 ? child("ls2", new LayerScale(init, c.width(), c.layerScaleInit())) : null;
    }

    private Norm norm(String name, Init init, BlockConfig c) {
        return (Norm) child(name, Norm.create(init, c.width(), c.lnEps(), c.rmsNorm()));
    }

    public NDArray forward(NDArray x, NDArray mask, NDArray context, NDArray contextMask) {
        return forward(x, mask, context, contextMask, null, 0);
    }

    /** Whether this block has a cross-attention sub-layer. */
    public boolean crossAttends() {
        return crossAttn != null;
    }

    /**
     * As {@link #forward(NDArray, NDArray, NDArray, NDArray)}, but cross-attention (if this block has it) updates only
     * the first {@code crossTokens} tokens of x, and is skipped when {@code crossTokens} is 0 (context may then be
     * null): BLIP-2's Q-Former, whose learned queries read the image while the text tokens beside them do not.
     */
    public NDArray forward(NDArray x, NDArray mask, NDArray context, NDArray contextMask, int crossTokens) {
        if (normAfter) {
            throw new IllegalStateException("partial cross-attention is built for pre-LN blocks only");
        }
        NDArray h = attn.forward(ln1.forward(x), mask);
        x = x.add(ls1 == null ? h : ls1.forward(h));
        if (crossAttn != null && crossTokens > 0) {
            if (context == null) {
                throw new IllegalArgumentException("this block cross-attends and needs a context");
            }
            long l = x.getShape().get(1);
            NDArray q = x.get(":, 0:" + crossTokens + ", :");
            q = q.add(crossAttn.forward(lnCross.forward(q), context, contextMask));
            x = crossTokens >= l ? q : q.concat(x.get(":, " + crossTokens + ":, :"), 1);
        }
        h = mlp.forward(ln2.forward(x));
        return x.add(ls2 == null ? h : ls2.forward(h));
    }

    /** As above; with a cache, x holds only the new tokens and self-attention also sees the cached ones. */
    public NDArray forward(NDArray x, NDArray mask, NDArray context, NDArray contextMask, KvCache cache, int layer) {
        if (normAfter) {
            return forwardNormAfter(x, mask, context, contextMask, cache, layer);
        }
        NDArray h = attn.forward(ln1.forward(x), mask, cache, layer);
        x = x.add(ls1 == null ? h : ls1.forward(h));
        if (crossAttn != null) {
            if (context == null) {
                throw new IllegalArgumentException("this block cross-attends and needs a context");
            }
            x = x.add(crossAttn.forward(lnCross.forward(x), context, contextMask));
        }
        h = mlp.forward(ln2.forward(x));
        return x.add(ls2 == null ? h : ls2.forward(h));
    }

    /** Chameleon's placement: each sub-layer reads the raw stream and its output is normalised before the add. */
    private NDArray forwardNormAfter(NDArray x, NDArray mask, NDArray context, NDArray contextMask, KvCache cache,
                                     int layer) {
        NDArray h = ln1.forward(attn.forward(x, mask, cache, layer));
        x = x.add(ls1 == null ? h : ls1.forward(h));
        if (crossAttn != null) {
            if (context == null) {
                throw new IllegalArgumentException("this block cross-attends and needs a context");
            }
            x = x.add(lnCross.forward(crossAttn.forward(x, context, contextMask)));
        }
        h = ln2.forward(mlp.forward(x));
        return x.add(ls2 == null ? h : ls2.forward(h));
    }
}
