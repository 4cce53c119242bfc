package org.vlm4j.model;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.vlm4j.image.ImagePreprocessor;
import org.vlm4j.image.ImageWorkers;

/**
 * A model that embeds images and texts into one space (CLIP, SigLIP, ...). Embeddings are L2-normalised rows in
 * input order. Used by zero-shot classification, retrieval, the index and the server.
 */
public interface ImageTextEncoder {
    int embedDim();

    /** How this model wants its images decoded, resized, cropped and normalised. */
    ImagePreprocessor preprocessor();

    /**
     * Decodes, preprocesses (in parallel on the shared image workers) and embeds image files, in input order;
     * chunks of 64 bound the memory.
     */
    default float[][] encodeImageFiles(List<Path> files) throws IOException {
        ImagePreprocessor pre = preprocessor();
        int size = pre.config().size();
        int chunk = 64;
        List<float[]> out = new ArrayList<>(files.size());
        for (int start = 0; start < files.size(); start += chunk) {
            List<Path> part = files.subList(start, Math.min(files.size(), start + chunk));
            float[] pixels = pre.preprocessBatch(part, ImageWorkers.shared());
            out.addAll(List.of(encodePixels(pixels, part.size(), size, size)));
        }
        return out.toArray(new float[0][]);
    }

    /** Already-preprocessed pixels, [n, 3, height, width] row-major. */
    float[][] encodePixels(float[] pixels, int n, int height, int width);

    float[][] encodeTexts(List<String> texts);

    /** Logits as the model's loss sees them: scale * cosine similarity (+ bias for sigmoid models), [images][texts]. */
    float[][] logits(float[][] imageEmbeds, float[][] textEmbeds);
}
