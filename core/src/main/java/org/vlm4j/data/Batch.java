package org.vlm4j.data;

import java.util.List;
import java.util.Map;

/**
 * A batch of preprocessed images and their captions, as produced by {@link BatchLoader}.
 *
 * @param pixels   {@code size * 3 * height * width} floats, image-major, each image CHW (the preprocessor's layout)
 * @param size     number of images (the loader's batch size, except a finite loader's last batch)
 * @param height   image height in pixels
 * @param width    image width in pixels
 * @param captions one caption per image, in order
 * @param meta     one metadata map per image (extra columns / fields, {@code __key__}), unmodifiable
 * @param end      the loader position just after this batch: a loader started there continues with the next batch
 */
public record Batch(float[] pixels, int size, int height, int width, List<String> captions,
                    List<Map<String, String>> meta, BatchLoader.Position end) {

    /** Floats per image: {@code 3 * height * width}. */
    public int imageFloats() {
        return 3 * height * width;
    }
}
