package org.vlm4j.model;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.vlm4j.image.ImagePreprocessor;
import org.vlm4j.image.ImageWorkers;
import org.vlm4j.image.RgbImages;

/**
 * A model that turns images into grids of discrete codes and codes back into images (the VQ-VAE; the image
 * vocabulary of the early-fusion token model). A grid is {@link #gridHeight()} x {@link #gridWidth()} codes in
 * [0, {@link #codebookSize()}), stored row-major, one row of the returned arrays per image, in input order.
 */
public interface ImageTokenizer {
    /** How this model wants its images decoded, resized and normalised. */
    ImagePreprocessor preprocessor();

    int codebookSize();

    int gridHeight();

    int gridWidth();

    /** Already-preprocessed pixels, [n, 3, height, width] row-major -> codes [n][gridHeight * gridWidth]. */
    int[][] tokenize(float[] pixels, int n, int height, int width);

    /**
     * Codes [n][gridHeight * gridWidth] -> RGB pixels in [0, 1] (un-normalised, clamped), [n][3 * H * W] CHW.
     *
     * @throws IllegalArgumentException naming the image and position of a code out of range or a row of the wrong
     *                                  length
     */
    float[][] detokenize(int[][] codes);

    /** Side of the decoded images (square). */
    int imageSize();

    /** Decodes and preprocesses image files (in parallel on the shared workers), chunks of 64, and tokenizes them. */
    default int[][] tokenizeFiles(List<Path> files) throws IOException {
        ImagePreprocessor pre = preprocessor();
        int size = pre.config().size();
        List<int[]> out = new ArrayList<>(files.size());
        for (int start = 0; start < files.size(); start += 64) {
            List<Path> part = files.subList(start, Math.min(files.size(), start + 64));
            out.addAll(List.of(tokenize(pre.preprocessBatch(part, ImageWorkers.shared()), part.size(), size, size)));
        }
        return out.toArray(new int[0][]);
    }

    /** Codes -> 8-bit RGB pictures. */
    default List<BufferedImage> detokenizeImages(int[][] codes) {
        List<BufferedImage> out = new ArrayList<>(codes.length);
        for (float[] chw : detokenize(codes)) {
            out.add(RgbImages.fromUnitChw(chw, imageSize(), imageSize()));
        }
        return out;
    }
}
