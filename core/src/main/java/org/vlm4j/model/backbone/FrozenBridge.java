package org.vlm4j.model.backbone;

import ai.djl.ndarray.NDArray;
import org.vlm4j.nn.Linear;
import org.vlm4j.text.Tokenizer;

/**
 * Frozen (Tsimpoukelli et al. 2021): the vision encoder trains ({@code train_vision}) and its pooled output is mapped
 * linearly to {@code prefix_tokens} (k; 2 in the paper) embeddings in front of the frozen LM's text. Trained:
 * {@code visual.*}, {@code proj.*}; frozen: {@code lm.*}.
 */
public final class FrozenBridge extends Bridge {
    public static final String FAMILY = "frozen";
    private final Linear proj;

    public FrozenBridge(BridgeConfig config, Tokenizer tokenizer, long seed) {
        super(config, tokenizer, seed);
        if (config.prefixTokens() <= 0) {
            throw new IllegalArgumentException("a frozen bridge needs prefix_tokens > 0");
        }
        this.proj = child("proj", new Linear(init, config.vision().width(),
                (long) config.prefixTokens() * config.lm().width(), true));
    }

    @Override
    public String family() {
        return FAMILY;
    }

    @Override
    protected NDArray prefix(NDArray imageTokens, Task[] tasks) {
        long n = imageTokens.getShape().get(0);
        return proj.forward(visual.pool(imageTokens)).reshape(n, config.prefixTokens(), config.lm().width());
    }
}
