package org.vlm4j.model.masking;

import org.vlm4j.image.ImagePreprocessor.PreprocessConfig;
import org.vlm4j.nn.VisionConfig;

/** Config checks the masking families share, each error naming the field. */
final class MaskingChecks {
    private MaskingChecks() {}

    static void common(VisionConfig vision, int vocabSize, int contextLength, PreprocessConfig preprocess,
                       float maskProb) {
        if (preprocess.size() != vision.imageSize()) {
            throw new IllegalArgumentException("preprocess size " + preprocess.size() + " differs from the vision"
                    + " image_size " + vision.imageSize());
        }
        if (vision.outputDim() != 0) {
            throw new IllegalArgumentException("vision.output_dim must be 0: the model reads the ViT's tokens, not its"
                    + " pooled projection (got " + vision.outputDim() + ")");
        }
        if (vocabSize <= 0) {
            throw new IllegalArgumentException("vocab_size must be positive, got " + vocabSize);
        }
        if (contextLength < 3) {
            throw new IllegalArgumentException("context_length must be at least 3 ([CLS], a word, [SEP]), got "
                    + contextLength);
        }
        if (!(maskProb > 0 && maskProb < 1)) {
            throw new IllegalArgumentException("mask_prob must be in (0, 1), got " + maskProb);
        }
    }

    /** Loss weights: each >= 0, not all 0 (names and values alternate). */
    static void weights(Object... namesAndValues) {
        float sum = 0;
        StringBuilder all = new StringBuilder();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            float w = (Float) namesAndValues[i + 1];
            if (!(w >= 0)) {
                throw new IllegalArgumentException(namesAndValues[i] + " must be >= 0, got " + w);
            }
            sum += w;
            all.append(i == 0 ? "" : ", ").append(namesAndValues[i]);
        }
        if (sum == 0) {
            throw new IllegalArgumentException("at least one loss weight must be positive (" + all + ")");
        }
    }
}
