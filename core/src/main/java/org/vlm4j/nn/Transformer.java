package org.vlm4j.nn;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;

/** A stack of {@link TransformerBlock}s ({@code blocks.N}); the one transformer every family composes. */
public final class Transformer extends Module {
    private final List<TransformerBlock> blocks = new ArrayList<>();
    private final BlockConfig config;

    public Transformer(Init init, BlockConfig config, int layers) {
        this.config = config;
        BlocksHolder holder = child("blocks", new BlocksHolder());
        for (int i = 0; i < layers; i++) {
            blocks.add(holder.add(i, new TransformerBlock(init, config, layers)));
        }
    }

    /**
     * A stack whose block {@code i} cross-attends only where {@code crossAt.test(i)} (e.g. every other layer, as
     * BLIP-2's Q-Former); {@code config.crossAttention()} must be true and names the context width.
     */
    public Transformer(Init init, BlockConfig config, int layers, java.util.function.IntPredicate crossAt) {
        this.config = config;
        if (!config.crossAttention()) {
            throw new IllegalArgumentException("a per-layer cross-attention stack needs crossAttention in its config");
        }
        BlockConfig plain = new BlockConfig(config.width(), config.heads(), config.mlpHidden(), config.activation(),
                config.lnEps(), config.qkvBias(), config.qkNorm(), config.layerScaleInit(), false, 0, config.kvHeads(),
                config.rmsNorm(), config.ropeTheta(), config.linearBias());
        BlocksHolder holder = child("blocks", new BlocksHolder());
        for (int i = 0; i < layers; i++) {
            blocks.add(holder.add(i, new TransformerBlock(init, crossAt.test(i) ? config : plain, layers)));
        }
    }

    public BlockConfig config() {
        return config;
    }

    public int layers() {
        return blocks.size();
    }

    public NDArray forward(NDArray x, NDArray mask) {
        return forward(x, mask, null, null);
    }

    public NDArray forward(NDArray x, NDArray mask, NDArray context, NDArray contextMask) {
        return forward(x, mask, context, contextMask, null);
    }

    /**
     * With a cache (generation), x holds only the new tokens; every layer appends their keys and values, and the
     * cache advances by their count at the end.
     */
    public NDArray forward(NDArray x, NDArray mask, NDArray context, NDArray contextMask, KvCache cache) {
        for (int i = 0; i < blocks.size(); i++) {
            x = blocks.get(i).forward(x, mask, context, contextMask, cache, i);
        }
        if (cache != null) {
            cache.advance((int) x.getShape().get(1));
        }
        return x;
    }

    /**
     * Cross-attention (where a block has it) only for the first {@code crossTokens} tokens of x; 0 skips it and the
     * context may be null. See {@link TransformerBlock#forward(NDArray, NDArray, NDArray, NDArray, int)}.
     */
    public NDArray forward(NDArray x, NDArray mask, NDArray context, NDArray contextMask, int crossTokens) {
        for (TransformerBlock b : blocks) {
            x = b.forward(x, mask, context, contextMask, crossTokens);
        }
        return x;
    }

    /** Gives the blocks the names 0, 1, 2... under "blocks". */
    private static final class BlocksHolder extends Module {
        TransformerBlock add(int index, TransformerBlock b) {
            return child(Integer.toString(index), b);
        }
    }
}
