package org.vlm4j.model;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.vlm4j.image.ImagePreprocessor;
import org.vlm4j.image.ImageWorkers;
import org.vlm4j.nn.GenerationConfig;

/**
 * A model that writes text about images (CoCa, the early-fusion token model, the pretrained-backbone bridges).
 * Captions come back in input order. The model adds its own end-of-text token to the config's stop tokens, so
 * callers never need to know token ids.
 */
public interface Captioner {
    /** How this model wants its images decoded, resized, cropped and normalised. */
    ImagePreprocessor preprocessor();

    /** Already-preprocessed pixels, [n, 3, height, width] row-major. */
    List<String> caption(float[] pixels, int n, int height, int width, GenerationConfig generation);

    /** Decodes and preprocesses image files (in parallel on the shared workers) and captions them, chunks of 64. */
    default List<String> captionFiles(List<Path> files, GenerationConfig generation) throws IOException {
        ImagePreprocessor pre = preprocessor();
        int size = pre.config().size();
        List<String> out = new ArrayList<>(files.size());
        for (int start = 0; start < files.size(); start += 64) {
            List<Path> part = files.subList(start, Math.min(files.size(), start + 64));
            out.addAll(caption(pre.preprocessBatch(part, ImageWorkers.shared()), part.size(), size, size, generation));
        }
        return out;
    }
}
