package org.vlm4j.model.lm;

import java.util.List;
import org.vlm4j.nn.Activation;
import org.vlm4j.nn.DecoderConfig;

/** Named language-model architectures (random weights until trained or imported). */
public final class LmPresets {
    private LmPresets() {}

    public static final List<String> NAMES = List.of("lm-tiny");

    public static LmConfig get(String name, int vocabSize) {
        return switch (name) {
            case "lm-tiny" -> tiny(vocabSize);
            default -> throw new IllegalArgumentException("unknown preset '" + name + "' (" + String.join(", ", NAMES)
                    + ")");
        };
    }

    /**
     * A GPT-2-shaped decoder small enough to pretrain in a test on two cores: 3 layers of width 128, 4 heads, MLP
     * 512 with GPT-2's tanh GELU, 64 positions, tied embeddings; the vocabulary is the fitted tokenizer's.
     */
    static LmConfig tiny(int vocabSize) {
        return new LmConfig(new DecoderConfig(vocabSize, 64, 128, 3, 4, 512, Activation.GELU_TANH, 1e-5f, false, 0,
                true));
    }
}
