package org.vlm4j.model;

import java.util.List;
import org.vlm4j.image.ImagePreprocessor;

/**
 * A model that fills masked words of a text given an image (masked language modelling conditioned on the image:
 * VisualBERT, ViLBERT, FLAVA, MaskVLM). The text marks each hidden word with {@code [MASK]}.
 */
public interface MaskFiller {
    /** One candidate for one masked position. */
    record Fill(String token, int id, float probability) {}

    /** How this model wants its images decoded, resized, cropped and normalised. */
    ImagePreprocessor preprocessor();

    /**
     * For each {@code [MASK]} of the text, in order, its {@code topK} most probable tokens given the image
     * (already-preprocessed pixels [1, 3, height, width]).
     *
     * @throws IllegalArgumentException if the text has no {@code [MASK]}
     */
    List<List<Fill>> fillMask(float[] pixels, int height, int width, String text, int topK);
}
