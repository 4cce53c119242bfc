package org.vlm4j.eval;

import java.util.Arrays;

/**
 * Two-stage retrieval: a first-stage score (usually the embedding similarity of an {@code ImageTextEncoder}) picks
 * each query's top K candidates, a second-stage pair scorer (an ITM head, a generative classifier) reorders those K;
 * the candidates outside the top K keep their first-stage order behind them. This is how single-stream models
 * (VisualBERT), which cost one forward pass per pair, are evaluated on retrieval: K pair scores per query instead of
 * all of them.
 *
 * <p>Metrics are {@link RetrievalEval}'s (R@K, mean and median rank, several captions per image, the same
 * {@link TieRule}), counted on the final order:
 * <ul>
 *   <li>The top K of a query are its K best candidates by first-stage score (ties broken by the lower index, so the
 *       shortlist is deterministic); K is capped at the number of candidates.</li>
 *   <li>If a correct candidate is in the top K, the query's best correct candidate is the one with the highest
 *       second-stage score among them; {@code above}/{@code tied} count the wrong top-K candidates whose
 *       second-stage score is higher / equal.</li>
 *   <li>Otherwise every top-K candidate is wrong and ranks above it: {@code above} = K + the wrong candidates outside
 *       the top K with a higher first-stage score than the best correct one, {@code tied} those with an equal one.</li>
 * </ul>
 * With K = 1 the order is the first stage's; with K = all candidates it is the second stage's alone.
 */
public final class RerankedRetrievalEval {
    private RerankedRetrievalEval() {}

    /** The second stage: scores of one query against its shortlisted candidates, in the order given. */
    public interface Reranker {
        /** Scores of image {@code image} with each of the texts {@code texts} (indices into the text list). */
        float[] imageWithTexts(int image, int[] texts);

        /** Scores of text {@code text} with each of the images {@code images}. */
        float[] textWithImages(int text, int[] images);
    }

    /**
     * @param retrieval the metrics of the reranked order
     * @param topK the shortlist length used (K capped per direction at the number of candidates: the larger one)
     * @param pairScores second-stage scores computed, both directions together
     */
    public record Result(RetrievalResult retrieval, int topK, long pairScores) {}

    /**
     * @param firstStage [I][T] first-stage scores (higher is better), e.g. cosine similarities
     * @param textToImage [T]: the image each caption belongs to; every image needs at least one caption
     * @param topK how many first-stage candidates per query the reranker reorders (at least 1)
     */
    public static Result evaluate(float[][] firstStage, int[] textToImage, int topK, Reranker reranker, int[] ks,
            TieRule rule) {
        int nImages = firstStage.length;
        int nTexts = nImages == 0 ? 0 : firstStage[0].length;
        RetrievalEval.checkMatrix(firstStage, nTexts, "first-stage score");
        int[] kk = RetrievalEval.checkKs(ks);
        if (topK < 1) {
            throw new IllegalArgumentException("rerank top K must be >= 1, got " + topK);
        }
        if (nImages == 0 || nTexts == 0) {
            throw new IllegalArgumentException("retrieval needs at least one image and one text, got " + nImages
                    + " images and " + nTexts + " texts");
        }
        if (textToImage.length != nTexts) {
            throw new IllegalArgumentException("textToImage has " + textToImage.length + " entries for " + nTexts
                    + " texts");
        }
        boolean[] hasCaption = new boolean[nImages];
        for (int t = 0; t < nTexts; t++) {
            int i = textToImage[t];
            if (i < 0 || i >= nImages) {
                throw new IllegalArgumentException("text " + t + " belongs to image " + i + ", but there are "
                        + nImages + " images");
            }
            hasCaption[i] = true;
        }
        for (int i = 0; i < nImages; i++) {
            if (!hasCaption[i]) {
                throw new IllegalArgumentException("image " + i + " has no caption");
            }
        }
        long scored = 0;
        int[] imgAbove = new int[nImages];
        int[] imgTied = new int[nImages];
        float[] row = new float[nTexts];
        boolean[] correct = new boolean[nTexts];
        for (int i = 0; i < nImages; i++) {
            System.arraycopy(firstStage[i], 0, row, 0, nTexts);
            for (int t = 0; t < nTexts; t++) {
                correct[t] = textToImage[t] == i;
            }
            int[] top = top(row, Math.min(topK, nTexts));
            float[] second = checked(reranker.imageWithTexts(i, top.clone()), top.length, "image " + i);
            scored += top.length;
            int[] at = count(row, correct, top, second);
            imgAbove[i] = at[0];
            imgTied[i] = at[1];
        }
        int[] txtAbove = new int[nTexts];
        int[] txtTied = new int[nTexts];
        float[] column = new float[nImages];
        boolean[] own = new boolean[nImages];
        for (int t = 0; t < nTexts; t++) {
            for (int i = 0; i < nImages; i++) {
                column[i] = firstStage[i][t];
            }
            Arrays.fill(own, false);
            own[textToImage[t]] = true;
            int[] top = top(column, Math.min(topK, nImages));
            float[] second = checked(reranker.textWithImages(t, top.clone()), top.length, "text " + t);
            scored += top.length;
            int[] at = count(column, own, top, second);
            txtAbove[t] = at[0];
            txtTied[t] = at[1];
        }
        RetrievalResult r = new RetrievalResult(nImages, nTexts, rule,
                RetrievalEval.direction(imgAbove, imgTied, kk, rule), RetrievalEval.direction(txtAbove, txtTied, kk, rule));
        return new Result(r, Math.min(topK, Math.max(nImages, nTexts)), scored);
    }

    /** Indices of the k highest scores, best first; equal scores in index order. */
    static int[] top(float[] scores, int k) {
        Integer[] order = new Integer[scores.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> scores[a] != scores[b] ? Float.compare(scores[b], scores[a]) : Integer.compare(a, b));
        int[] out = new int[k];
        for (int i = 0; i < k; i++) {
            out[i] = order[i];
        }
        return out;
    }

    /** {above, tied} of a query's best correct candidate in the reranked order (see the class comment). */
    static int[] count(float[] first, boolean[] correct, int[] top, float[] second) {
        boolean[] inTop = new boolean[first.length];
        float best = Float.NEGATIVE_INFINITY;
        boolean correctInTop = false;
        for (int j = 0; j < top.length; j++) {
            inTop[top[j]] = true;
            if (correct[top[j]]) {
                correctInTop = true;
                best = Math.max(best, second[j]);
            }
        }
        int above = 0;
        int tied = 0;
        if (correctInTop) {
            for (int j = 0; j < top.length; j++) {
                if (!correct[top[j]]) {
                    if (second[j] > best) {
                        above++;
                    } else if (second[j] == best) {
                        tied++;
                    }
                }
            }
            return new int[] {above, tied};
        }
        for (int c = 0; c < first.length; c++) {
            if (correct[c]) {
                best = Math.max(best, first[c]);
            }
        }
        above = top.length;
        for (int c = 0; c < first.length; c++) {
            if (!inTop[c] && !correct[c]) {
                if (first[c] > best) {
                    above++;
                } else if (first[c] == best) {
                    tied++;
                }
            }
        }
        return new int[] {above, tied};
    }

    private static float[] checked(float[] scores, int n, String query) {
        if (scores == null || scores.length != n) {
            throw new IllegalArgumentException("the reranker returned " + (scores == null ? "nothing" : scores.length
                    + " scores") + " for " + query + "'s " + n + " candidates");
        }
        for (float s : scores) {
            if (Float.isNaN(s)) {
                throw new IllegalArgumentException("the reranker returned NaN for " + query);
            }
        }
        return scores;
    }
}
