package org.vlm4j.model;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import org.vlm4j.image.RgbImages;
import org.vlm4j.nn.GenerationConfig;

/** A model that draws images from text (the early-fusion token model). Images come back in input order. */
public interface ImageGenerator {
    /**
     * One image per text: RGB in [0, 1], [3 * S * S] CHW with S = {@link #imageSize()}; greedy or sampled as
     * {@code generation} says (its length and stop tokens do not apply to images).
     */
    float[][] generateImages(List<String> texts, GenerationConfig generation);

    /** Side of the generated images (square). */
    int imageSize();

    /** Whether this model can draw now (MiniGPT-5 only with an image decoder). */
    default boolean canGenerateImages() {
        return true;
    }

    /** The same as 8-bit RGB pictures. */
    default List<BufferedImage> generatePictures(List<String> texts, GenerationConfig generation) {
        List<BufferedImage> out = new ArrayList<>(texts.size());
        for (float[] chw : generateImages(texts, generation)) {
            out.add(RgbImages.fromUnitChw(chw, imageSize(), imageSize()));
        }
        return out;
    }
}
