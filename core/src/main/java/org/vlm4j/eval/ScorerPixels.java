package org.vlm4j.eval;

import java.io.IOException;
import java.util.Arrays;
import java.util.Map;
import org.vlm4j.data.Batch;
import org.vlm4j.data.BatchLoader;
import org.vlm4j.data.ImageTextDataset;
import org.vlm4j.model.ImageTextScorer;

/**
 * The distinct images of a dataset preprocessed the way a pair scorer wants them, one row per image in the order of
 * a first pass's keys (so a reranker can score any subset of them without decoding again).
 */
record ScorerPixels(float[][] rows, int height, int width) {

    /**
     * @param keys the image keys of the first pass ({@link EncodedDataset#key}) and their image index; the scorer's
     *             pass must read the same entries
     */
    static ScorerPixels read(ImageTextScorer scorer, ImageTextDataset data, Map<String, Integer> keys)
            throws IOException, InterruptedException {
        float[][] rows = new float[keys.size()][];
        int h = 0;
        int w = 0;
        int entry = 0;
        try (BatchLoader loader = new BatchLoader(data, scorer.preprocessor(), BatchLoader.Options.sequential(64))) {
            for (Batch b = loader.next(); b != null; b = loader.next()) {
                int per = b.imageFloats();
                h = b.height();
                w = b.width();
                for (int k = 0; k < b.size(); k++, entry++) {
                    String key = b.meta().get(k).getOrDefault("__key__", Integer.toString(entry));
                    Integer i = keys.get(key);
                    if (i == null) {
                        throw new IllegalArgumentException(data.spec() + ": entry '" + key + "' was read for the"
                                + " scorer but not for the first stage");
                    }
                    if (rows[i] == null) {
                        rows[i] = Arrays.copyOfRange(b.pixels(), k * per, (k + 1) * per);
                    }
                }
            }
        }
        for (Map.Entry<String, Integer> e : keys.entrySet()) {
            if (rows[e.getValue()] == null) {
                throw new IllegalArgumentException(data.spec() + ": image '" + e.getKey() + "' could not be read for"
                        + " the scorer");
            }
        }
        return new ScorerPixels(rows, h, w);
    }

    /** The given images' pixels, concatenated [n, 3, h, w]. */
    float[] of(int[] images) {
        int per = rows.length == 0 ? 0 : rows[0].length;
        float[] out = new float[images.length * per];
        for (int k = 0; k < images.length; k++) {
            System.arraycopy(rows[images[k]], 0, out, k * per, per);
        }
        return out;
    }
}
