package org.vlm4j.model.backbone;

import ai.djl.ndarray.NDArray;
import org.vlm4j.io.StateDict;
import org.vlm4j.nn.Linear;
import org.vlm4j.nn.QFormer;
import org.vlm4j.text.Tokenizer;

/**
 * BLIP-2 stage 2 (Li et al. 2023): the Q-Former's learned queries read the frozen image tokens (cross-attention every
 * other layer) and a linear projection turns the query outputs into a soft prompt of the frozen LM. The Q-Former and
 * the projection train ({@code qformer.*}, {@code proj.*}); {@code visual.*} and {@code lm.*} are frozen. Stage 1
 * (image-text contrastive, matching and grounded generation, no LM) is {@link Blip2QFormer}.
 */
public final class Blip2 extends Bridge {
    public static final String FAMILY = "blip2";
    private final QFormer qformer;
    private final Linear proj;

    public Blip2(BridgeConfig config, Tokenizer tokenizer, long seed) {
        super(config, tokenizer, seed);
        int w = config.bridgeWidth();
        this.qformer = child("qformer", new QFormer(init, config.queries(), w, config.bridgeLayers(),
                config.bridgeHeads(), 4 * w, config.vision().width(), 2, config.vision().lnEps()));
        this.proj = child("proj", new Linear(init, w, config.lm().width(), true));
    }

    @Override
    public String family() {
        return FAMILY;
    }

    public QFormer qformer() {
        return qformer;
    }

    /** Starts from a stage-1 Q-Former (same queries, width, layers, heads and vision width). */
    public void loadQFormer(Blip2QFormer stage1) {
        StateDict.load(qformer, StateDict.of(stage1.qformer()), "stage-1 Q-Former");
    }

    @Override
    protected NDArray prefix(NDArray imageTokens, Task[] tasks) {
        return proj.forward(qformer.forward(imageTokens));
    }
}
