package org.vlm4j.eval;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;
import org.vlm4j.model.ImageTextEncoder;

/**
 * Image-text retrieval: image to text and text to image Recall@K, mean and median rank, with several captions per
 * image (COCO, Flickr30k). Metric names and definitions follow OpenCLIP's {@code get_clip_metrics}, generalised to
 * many captions per image:
 * <ul>
 *   <li>Image to text: the queries are the images, the candidates all texts; an image's correct items are its
 *       captions, and its rank is the rank of its best-scoring caption (so an image is retrieved at K when ANY of its
 *       captions is in its top K). Its other captions do not count against it.</li>
 *   <li>Text to image: the queries are the texts, the candidates all images; one correct image per text.</li>
 *   <li>Identical captions ({@link #captionGroups}, optional): texts of one group are the same string, so no text
 *       encoder can order them. With groups, an image's correct items are every text of its captions' groups, and a
 *       text's correct items are every image that has a caption of its group. Without them, a caption repeated across
 *       images (templated or synthetic data: "a large red circle") ties with the image's own and counts against it
 *       under the pessimistic rule, whatever the model. With all captions distinct, groups change nothing.</li>
 *   <li>Rank: 1-based, {@link TieRule#rank} of (wrong candidates scoring strictly higher than the best correct one,
 *       wrong candidates scoring exactly the same); {@link TieRule#PESSIMISTIC} by default (see {@link TieRule} for
 *       why).</li>
 *   <li>R@K = share of queries with rank &lt;= K; mean rank = mean of the ranks; median rank = floor of their median,
 *       as OpenCLIP's {@code np.floor(np.median(preds)) + 1} over 0-based ranks.</li>
 * </ul>
 *
 * <p>Scores are dot products of the (L2-normalised) embeddings, i.e. cosine similarity; a model's positive logit
 * scale and its bias do not change any rank, so they are left out. The similarity matrix is never held whole: image
 * rows are scored in blocks of about {@value #BLOCK_FLOATS} floats across the common fork-join pool, and both
 * directions are counted from the same blocks (one pass, I x T dot products). Every score comes from one dot product
 * function, so a score compared in two places is bit-identical and duplicate items tie exactly. Counting is
 * integer-only, so results do not depend on the number of threads.
 */
public final class RetrievalEval {
    public static final int[] DEFAULT_KS = {1, 5, 10};
    /** Floats per scored block (16 MiB). */
    static final int BLOCK_FLOATS = 1 << 22;

    private RetrievalEval() {}

    /** Embeds the images and captions, then {@link #evaluate(float[][], float[][], int[])}. */
    public static RetrievalResult evaluate(ImageTextEncoder encoder, List<Path> images, List<String> captions,
            int[] textToImage) throws IOException {
        return evaluate(encoder.encodeImageFiles(images), encoder.encodeTexts(captions), textToImage);
    }

    /** R@{1,5,10}, pessimistic ties. */
    public static RetrievalResult evaluate(float[][] imageEmbeds, float[][] textEmbeds, int[] textToImage) {
        return evaluate(imageEmbeds, textEmbeds, textToImage, DEFAULT_KS, TieRule.PESSIMISTIC);
    }

    /**
     * @param imageEmbeds [I][D], normalised
     * @param textEmbeds [T][D], normalised
     * @param textToImage [T]: the image each caption belongs to; every image needs at least one caption
     */
    public static RetrievalResult evaluate(float[][] imageEmbeds, float[][] textEmbeds, int[] textToImage, int[] ks,
            TieRule rule) {
        int d = imageEmbeds.length == 0 ? 0 : imageEmbeds[0].length;
        checkMatrix(imageEmbeds, d, "image embedding");
        checkMatrix(textEmbeds, d, "text embedding");
        return run(new EmbeddingScores(imageEmbeds, textEmbeds), textToImage, null, ks, rule, BLOCK_FLOATS);
    }

    /** As {@link #evaluate(float[][], float[][], int[], int[], TieRule)}, identical captions as one item. */
    public static RetrievalResult evaluate(float[][] imageEmbeds, float[][] textEmbeds, int[] textToImage,
            int[] captionGroups, int[] ks, TieRule rule) {
        int d = imageEmbeds.length == 0 ? 0 : imageEmbeds[0].length;
        checkMatrix(imageEmbeds, d, "image embedding");
        checkMatrix(textEmbeds, d, "text embedding");
        return run(new EmbeddingScores(imageEmbeds, textEmbeds), textToImage, captionGroups, ks, rule, BLOCK_FLOATS);
    }

    /**
     * Text i's group: the index of the first text equal to it. Texts of a group are the same string, so retrieval
     * counts them as one item (see the class comment).
     */
    public static int[] captionGroups(List<String> captions) {
        Map<String, Integer> first = new HashMap<>();
        int[] g = new int[captions.size()];
        for (int t = 0; t < g.length; t++) {
            g[t] = first.computeIfAbsent(captions.get(t), k -> first.size());
        }
        return g;
    }

    /** From a ready similarity matrix [I][T] (any score where higher is better). R@{1,5,10}, pessimistic ties. */
    public static RetrievalResult fromScores(float[][] scores, int[] textToImage) {
        return fromScores(scores, textToImage, DEFAULT_KS, TieRule.PESSIMISTIC);
    }

    public static RetrievalResult fromScores(float[][] scores, int[] textToImage, int[] ks, TieRule rule) {
        int t = scores.length == 0 ? 0 : scores[0].length;
        checkMatrix(scores, t, "score");
        return run(new MatrixScores(scores), textToImage, null, ks, rule, BLOCK_FLOATS);
    }

    /** As {@link #fromScores(float[][], int[], int[], TieRule)}, identical captions as one item. */
    public static RetrievalResult fromScores(float[][] scores, int[] textToImage, int[] captionGroups, int[] ks,
            TieRule rule) {
        int t = scores.length == 0 ? 0 : scores[0].length;
        checkMatrix(scores, t, "score");
        return run(new MatrixScores(scores), textToImage, captionGroups, ks, rule, BLOCK_FLOATS);
    }

    /** Scores of image rows against all texts. */
    interface Scores {
        int images();

        int texts();

        float score(int image, int text);

        /** Rows [from, to) into out, row-major with {@link #texts()} columns. */
        void block(int from, int to, float[] out);
    }

    record MatrixScores(float[][] m) implements Scores {
        public int images() {
            return m.length;
        }

        public int texts() {
            return m.length == 0 ? 0 : m[0].length;
        }

        public float score(int image, int text) {
            return m[image][text];
        }

        public void block(int from, int to, float[] out) {
            int t = texts();
            for (int i = from; i < to; i++) {
                System.arraycopy(m[i], 0, out, (i - from) * t, t);
            }
        }
    }

    record EmbeddingScores(float[][] img, float[][] txt) implements Scores {
        public int images() {
            return img.length;
        }

        public int texts() {
            return txt.length;
        }

        public float score(int image, int text) {
            return dot(img[image], txt[text]);
        }

        public void block(int from, int to, float[] out) {
            int t = txt.length;
            for (int j = 0; j < t; j++) { // text outer: each text row stays in cache across the block's images
                float[] tj = txt[j];
                for (int i = from; i < to; i++) {
                    out[(i - from) * t + j] = dot(img[i], tj);
                }
            }
        }
    }

    /** The one dot product every embedding score comes from (four partial sums, fixed order). */
    static float dot(float[] a, float[] b) {
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        int n = a.length;
        int k = 0;
        for (; k + 3 < n; k += 4) {
            s0 += a[k] * b[k];
            s1 += a[k + 1] * b[k + 1];
            s2 += a[k + 2] * b[k + 2];
            s3 += a[k + 3] * b[k + 3];
        }
        for (; k < n; k++) {
            s0 += a[k] * b[k];
        }
        return (s0 + s1) + (s2 + s3);
    }

    static RetrievalResult run(Scores s, int[] textToImage, int[] ks, TieRule rule, int blockFloats) {
        return run(s, textToImage, null, ks, rule, blockFloats);
    }

    /** @param groups [T] caption groups ({@link #captionGroups}), or null: every text its own item */
    static RetrievalResult run(Scores s, int[] textToImage, int[] groups, int[] ks, TieRule rule, int blockFloats) {
        int nImages = s.images();
        int nTexts = s.texts();
        int[] kk = checkKs(ks);
        if (nImages == 0 || nTexts == 0) {
            throw new IllegalArgumentException("retrieval needs at least one image and one text, got " + nImages
                    + " images and " + nTexts + " texts");
        }
        if (textToImage.length != nTexts) {
            throw new IllegalArgumentException(
                    "textToImage has " + textToImage.length + " entries for " + nTexts + " texts");
        }
        // captions of each image, CSR
        int[] start = new int[nImages + 1];
        for (int t = 0; t < nTexts; t++) {
            int i = textToImage[t];
            if (i < 0 || i >= nImages) {
                throw new IllegalArgumentException("text " + t + " belongs to image " + i + ", but there are "
                        + nImages + " images");
            }
            start[i + 1]++;
        }
        for (int i = 0; i < nImages; i++) {
            if (start[i + 1] == 0) {
                throw new IllegalArgumentException("image " + i + " has no caption");
            }
            start[i + 1] += start[i];
        }
        int[] captions = new int[nTexts];
        int[] fill = Arrays.copyOf(start, nImages);
        for (int t = 0; t < nTexts; t++) {
            captions[fill[textToImage[t]]++] = t;
        }
        if (groups != null && groups.length != nTexts) {
            throw new IllegalArgumentException("captionGroups has " + groups.length + " entries for " + nTexts
                    + " texts");
        }
        // with groups: each image's groups, and each group's texts and images (CSR)
        int[][] imageGroups = groups == null ? null : new int[nImages][];
        int[][] groupImages = null;
        if (groups != null) {
            int nGroups = 0;
            for (int g : groups) {
                if (g < 0) {
                    throw new IllegalArgumentException("caption group " + g + " is negative");
                }
                nGroups = Math.max(nGroups, g + 1);
            }
            List<TreeSet<Integer>> gi = new ArrayList<>();
            for (int g = 0; g < nGroups; g++) {
                gi.add(new TreeSet<>());
            }
            for (int i = 0; i < nImages; i++) {
                TreeSet<Integer> own = new TreeSet<>();
                for (int c = start[i]; c < start[i + 1]; c++) {
                    own.add(groups[captions[c]]);
                    gi.get(groups[captions[c]]).add(i);
                }
                imageGroups[i] = own.stream().mapToInt(Integer::intValue).toArray();
            }
            groupImages = new int[nGroups][];
            for (int g = 0; g < nGroups; g++) {
                groupImages[g] = gi.get(g).stream().mapToInt(Integer::intValue).toArray();
            }
        }
        // text -> image: the correct score per text (the best of its group's images), by the same function as blocks
        float[] correct = new float[nTexts];
        for (int t = 0; t < nTexts; t++) {
            correct[t] = s.score(textToImage[t], t);
            if (groups != null) {
                for (int i : groupImages[groups[t]]) {
                    correct[t] = Math.max(correct[t], s.score(i, t));
                }
            }
        }
        int[][] imgGroups = imageGroups;

        int rows = Math.max(1, Math.min(nImages, blockFloats / nTexts));
        int nBlocks = (nImages + rows - 1) / rows;
        int workers = Math.min(nBlocks, ForkJoinPool.getCommonPoolParallelism() + 1);
        int[] imgAbove = new int[nImages];
        int[] imgTied = new int[nImages];
        int[][] txtAbove = new int[workers][nTexts];
        int[][] txtTied = new int[workers][nTexts];
        IntStream.range(0, workers).parallel().forEach(w -> {
            float[] block = new float[rows * nTexts];
            int[] above = txtAbove[w];
            int[] tied = txtTied[w];
            for (int b = w; b < nBlocks; b += workers) {
                int from = b * rows;
                int to = Math.min(nImages, from + rows);
                s.block(from, to, block);
                for (int i = from; i < to; i++) {
                    int off = (i - from) * nTexts;
                    // image -> text: best caption, then the wrong texts above / tied with it
                    float best = Float.NEGATIVE_INFINITY;
                    int a = 0;
                    int e = 0;
                    if (imgGroups == null) {
                        for (int c = start[i]; c < start[i + 1]; c++) {
                            best = Math.max(best, block[off + captions[c]]);
                        }
                        for (int t = 0; t < nTexts; t++) {
                            float v = block[off + t];
                            if (v > best) {
                                a++;
                            } else if (v == best) {
                                e++;
                            }
                        }
                        for (int c = start[i]; c < start[i + 1]; c++) {
                            if (block[off + captions[c]] == best) {
                                e--; // own captions never count against the image
                            }
                        }
                    } else {
                        int[] own = imgGroups[i];
                        for (int t = 0; t < nTexts; t++) {
                            if (contains(own, groups[t])) {
                                best = Math.max(best, block[off + t]);
                            }
                        }
                        for (int t = 0; t < nTexts; t++) {
                            float v = block[off + t];
                            if (!contains(own, groups[t])) { // texts of its captions' groups never count against it
                                if (v > best) {
                                    a++;
                                } else if (v == best) {
                                    e++;
                                }
                            }
                        }
                    }
                    imgAbove[i] = a;
                    imgTied[i] = e;
                    // text -> image: image i is a wrong candidate for every text not its own (nor of its groups)
                    for (int t = 0; t < nTexts; t++) {
                        if (imgGroups == null ? textToImage[t] != i : !contains(imgGroups[i], groups[t])) {
                            float v = block[off + t];
                            if (v > correct[t]) {
                                above[t]++;
                            } else if (v == correct[t]) {
                                tied[t]++;
                            }
                        }
                    }
                }
            }
        });
        int[] tAbove = new int[nTexts];
        int[] tTied = new int[nTexts];
        for (int w = 0; w < workers; w++) {
            for (int t = 0; t < nTexts; t++) {
                tAbove[t] += txtAbove[w][t];
                tTied[t] += txtTied[w][t];
            }
        }
        return new RetrievalResult(nImages, nTexts, rule, direction(imgAbove, imgTied, kk, rule),
                direction(tAbove, tTied, kk, rule));
    }

    static RetrievalResult.Direction direction(int[] above, int[] tied, int[] ks, TieRule rule) {
        int n = above.length;
        int[] ranks = new int[n];
        int tiedQueries = 0;
        long sum = 0;
        for (int q = 0; q < n; q++) {
            ranks[q] = rule.rank(above[q], tied[q]);
            sum += ranks[q];
            if (tied[q] > 0) {
                tiedQueries++;
            }
        }
        double[] recall = new double[ks.length];
        for (int j = 0; j < ks.length; j++) {
            int hit = 0;
            for (int r : ranks) {
                if (r <= ks[j]) {
                    hit++;
                }
            }
            recall[j] = (double) hit / n;
        }
        return new RetrievalResult.Direction(ks.clone(), recall, (double) sum / n, floorMedian(ranks), ranks, tiedQueries);
    }

    /** Whether the sorted {@code set} (an image's few caption groups) holds {@code x}. */
    private static boolean contains(int[] set, int x) {
        return Arrays.binarySearch(set, x) >= 0;
    }

    /** floor(median), the median of an even count being the mean of the middle two. */
    static double floorMedian(int[] values) {
        int[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        double median = n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + (double) v[n / 2]) / 2;
        return Math.floor(median);
    }

    static int[] checkKs(int[] ks) {
        if (ks == null || ks.length == 0) {
            throw new IllegalArgumentException("no K given for R@K");
        }
        for (int k : ks) {
            if (k < 1) {
                throw new IllegalArgumentException("R@K needs K >= 1, got " + k);
            }
        }
        return ks.clone();
    }

    /** Rows of equal length {@code width}, finite values. */
    static void checkMatrix(float[][] m, int width, String what) {
        for (int i = 0; i < m.length; i++) {
            if (m[i].length != width) {
                throw new IllegalArgumentException(what + " row " + i + " has " + m[i].length + " values, expected "
                        + width);
            }
            for (float x : m[i]) {
                if (!Float.isFinite(x)) {
                    throw new IllegalArgumentException(what + " row " + i + " has a non-finite value (" + x + ")");
                }
            }
        }
    }
}
