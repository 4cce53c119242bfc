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

    /** Gives the blocks the names 0, 1, 2... under "blocks". */
    private static final class BlocksHolder extends Module {
        TransformerBlock add(int index, TransformerBlock b) {
            return child(Integer.toString(index), b);
        }
    }
}
