package org.vlm4j.model.backbone;

import ai.djl.ndarray.NDArray;
import org.vlm4j.nn.Linear;
import org.vlm4j.nn.Resampler;
import org.vlm4j.text.Tokenizer;

/**
 * Qwen-VL's adapter (Bai et al. 2023): a single cross-attention layer whose {@code queries} learned queries (256 in
 * the paper) read the frozen image's patch tokens with 2-D positions ({@link Resampler}), compressing any grid to a
 * fixed-length soft prompt, then a projection to the LM width. Trained: {@code resampler.*}, {@code proj.*}.
 */
public final class QwenVl extends Bridge {
    public static final String FAMILY = "qwenvl";
    private final Resampler resampler;
    private final Linear proj;

    public QwenVl(BridgeConfig config, Tokenizer tokenizer, long seed) {
        super(config, tokenizer, seed);
        int w = config.bridgeWidth();
        this.resampler = child("resampler", new Resampler(init, config.queries(), w, config.bridgeHeads(),
                config.vision().width(), config.vision().grid(), config.vision().lnEps()));
        this.proj = child("proj", new Linear(init, w, config.lm().width(), true));
    }

    @Override
    public String family() {
        return FAMILY;
    }

    @Override
    protected NDArray prefix(NDArray imageTokens, Task[] tasks) {
        int g = config.vision().grid();
        NDArray patches = config.vision().classToken() ? imageTokens.get(":, 1:, :") : imageTokens;
        return proj.forward(resampler.forward(patches, g, g));
    }
}
