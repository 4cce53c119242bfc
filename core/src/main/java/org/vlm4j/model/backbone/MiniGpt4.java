package org.vlm4j.model.backbone;

import ai.djl.ndarray.NDArray;
import org.vlm4j.nn.Linear;
import org.vlm4j.text.Tokenizer;

/**
 * MiniGPT-4 (Zhu et al. 2023): a frozen vision tower, one trainable linear projection of its output tokens into the
 * frozen language model's embedding space, and the LM. Parameters: {@code visual.*} and {@code lm.*} (frozen),
 * {@code proj.*} (trained). The paper's two stages (caption pretraining, then instruction-style fine-tuning on a
 * small curated set) are two runs of the same model on different data: captions, then question-answer rows.
 */
public final class MiniGpt4 extends Bridge {
    public static final String FAMILY = "minigpt4";
    private final Linear proj;

    public MiniGpt4(BridgeConfig config, Tokenizer tokenizer, long seed) {
        super(config, tokenizer, seed);
        this.proj = child("proj", new Linear(init, config.vision().width(), config.lm().width(), true));
    }

    @Override
    public String family() {
        return FAMILY;
    }

    @Override
    protected NDArray prefix(NDArray imageTokens, Task[] tasks) {
        return proj.forward(imageTokens);
    }
}
