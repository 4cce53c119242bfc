package org.vlm4j.model;

import java.util.List;

/**
 * A model that embeds images and texts into one space (CLIP, SigLIP, ...). Embeddings are L2-normalised rows in
 * input order. Used by zero-shot classification, retrieval, the index and the server.
 */
public interface ImageTextEncoder {
    int embedDim();

    /** Already-preprocessed pixels, [n, 3, height, width] row-major. */
    float[][] encodePixels(float[] pixels, int n, int height, int width);

    float[][] encodeTexts(List<String> texts);

    /** Logits as the model's loss sees them: scale * cosine similarity (+ bias for sigmoid models), [images][texts]. */
    float[][] logits(float[][] imageEmbeds, float[][] textEmbeds);
}
