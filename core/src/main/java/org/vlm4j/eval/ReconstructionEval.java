package org.vlm4j.eval;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.vlm4j.data.Batch;
import org.vlm4j.data.BatchLoader;
import org.vlm4j.data.ImageTextDataset;
import org.vlm4j.model.ImageTokenizer;
import org.vlm4j.nn.VectorQuantizer;

/**
 * How well an image tokenizer round-trips a dataset: every image is tokenized, decoded from its codes and compared
 * with the preprocessed input, both as RGB in [0, 1] (the input un-normalised with the model's mean and std).
 * PSNR = 10 log10(1 / MSE) per image, averaged over images. The baseline predicts each image by its own mean colour
 * (per channel), so a tokenizer that keeps no spatial information scores about the baseline.
 */
public final class ReconstructionEval {
    private ReconstructionEval() {}

    /**
     * @param n              images evaluated
     * @param psnr           mean PSNR of the decoded codes, dB
     * @param meanColourPsnr mean PSNR of each image's mean colour, dB
     * @param codesUsed      distinct codes over the whole set
     * @param codebookSize   K
     * @param perplexity     exp(entropy) of the code usage over the whole set
     * @param skipped        entries the loader skipped, by reason
     */
    public record Result(int n, double psnr, double meanColourPsnr, int codesUsed, int codebookSize,
                         double perplexity, Map<String, Long> skipped) {
        /** Fraction of the codebook used at least once. */
        public double codebookUsage() {
            return (double) codesUsed / codebookSize;
        }

        /** The figures as JSON-friendly entries (the keys of {@code vlm4j eval reconstruction --json}). */
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("n", n);
            m.put("psnr", psnr);
            m.put("mean_colour_psnr", meanColourPsnr);
            m.put("codebook_usage", codebookUsage());
            m.put("codes_used", codesUsed);
            m.put("codebook_size", codebookSize);
            m.put("perplexity", perplexity);
            m.put("skipped", skipped);
            return m;
        }
    }

    public static Result evaluate(ImageTokenizer model, ImageTextDataset data) throws IOException, InterruptedException {
        float[] mean = model.preprocessor().config().mean();
        float[] std = model.preprocessor().config().std();
        long[] counts = new long[model.codebookSize()];
        double psnrSum = 0;
        double baseSum = 0;
        int n = 0;
        Map<String, Long> skipped;
        try (BatchLoader loader = new BatchLoader(data, model.preprocessor(), BatchLoader.Options.sequential(64))) {
            for (Batch b = loader.next(); b != null; b = loader.next()) {
                int[][] codes = model.tokenize(b.pixels(), b.size(), b.height(), b.width());
                float[][] decoded = model.detokenize(codes);
                int plane = b.height() * b.width();
                for (int i = 0; i < b.size(); i++) {
                    for (int c : codes[i]) {
                        counts[c]++;
                    }
                    float[] target = new float[3 * plane];
                    for (int c = 0; c < 3; c++) {
                        for (int p = 0; p < plane; p++) {
                            target[c * plane + p] = b.pixels()[i * 3 * plane + c * plane + p] * std[c] + mean[c];
                        }
                    }
                    if (decoded[i].length != target.length) {
                        throw new IllegalStateException("decoded image of " + decoded[i].length + " values for an input of "
                                + target.length + " (the tokenizer's output size differs from its preprocessing)");
                    }
                    psnrSum += psnr(decoded[i], target);
                    baseSum += psnr(meanColour(target, plane), target);
                    n++;
                }
            }
            skipped = Map.copyOf(loader.skipped());
        }
        if (n == 0) {
            throw new IllegalArgumentException(data.spec() + ": no readable image (skipped: " + skipped + ")");
        }
        int used = 0;
        for (long c : counts) {
            used += c > 0 ? 1 : 0;
        }
        return new Result(n, psnrSum / n, baseSum / n, used, counts.length, VectorQuantizer.perplexity(counts), skipped);
    }

    /** 10 log10(1 / MSE) for values in [0, 1]; capped at 100 dB for identical images. */
    public static double psnr(float[] a, float[] b) {
        double se = 0;
        for (int i = 0; i < a.length; i++) {
            double d = a[i] - b[i];
            se += d * d;
        }
        double mse = se / a.length;
        return mse == 0 ? 100 : Math.min(100, 10 * Math.log10(1 / mse));
    }

    /** Each channel of a CHW image replaced by its mean. */
    static float[] meanColour(float[] chw, int plane) {
        float[] out = new float[chw.length];
        for (int c = 0; c < 3; c++) {
            double s = 0;
            for (int p = 0; p < plane; p++) {
                s += chw[c * plane + p];
            }
            java.util.Arrays.fill(out, c * plane, (c + 1) * plane, (float) (s / plane));
        }
        return out;
    }
}
