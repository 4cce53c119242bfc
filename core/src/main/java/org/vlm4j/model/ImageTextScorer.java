package org.vlm4j.model;

import org.vlm4j.image.ImagePreprocessor;

/**
 * A model that scores image–text pairs directly (image-text matching heads, generative and diffusion classifiers),
 * where an embedding dot product is not what the model computes. Higher is a better match; scores are comparable
 * across the texts of one image and across the images of one text (Winoground, reranking, zero-shot by argmax).
 */
public interface ImageTextScorer {
    /** How this model wants its images decoded, resized, cropped and normalised. */
    ImagePreprocessor preprocessor();

    /** Scores of every (image, text) pair, [n][texts.size()], for already-preprocessed pixels [n, 3, h, w]. */
    float[][] score(float[] pixels, int n, int height, int width, java.util.List<String> texts);
}
