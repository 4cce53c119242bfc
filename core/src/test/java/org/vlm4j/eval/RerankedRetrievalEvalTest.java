package org.vlm4j.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Reranking the first stage's top K by a second score, on hand-made score matrices with ranks worked out by hand. */
class RerankedRetrievalEvalTest {
    private static final int[] KS = {1, 2, 5};
    // 3 images, 4 texts; image 0 has texts 0 and 3
    private static final int[] TEXT_TO_IMAGE = {0, 1, 2, 0};
    private static final float[][] FIRST = {
            {0.9f, 0.8f, 0.1f, 0.2f},
            {0.7f, 0.3f, 0.6f, 0.5f},
            {0.1f, 0.2f, 0.3f, 0.4f}};
    private static final float[][] SECOND = {
            {0.2f, 0.9f, 0.5f, 0.8f},
            {0.3f, 0.1f, 0.4f, 0.6f},
            {0.0f, 0.0f, 0.9f, 0.95f}};

    /** Scores from a matrix, recording every shortlist it was asked about. */
    static final class MatrixReranker implements RerankedRetrievalEval.Reranker {
        final float[][] m;
        final List<int[]> imageCalls = new ArrayList<>();
        final List<int[]> textCalls = new ArrayList<>();

        MatrixReranker(float[][] m) {
            this.m = m;
        }

        @Override
        public float[] imageWithTexts(int image, int[] texts) {
            imageCalls.add(texts);
            float[] out = new float[texts.length];
            for (int k = 0; k < texts.length; k++) {
                out[k] = m[image][texts[k]];
            }
            return out;
        }

        @Override
        public float[] textWithImages(int text, int[] images) {
            textCalls.add(images);
            float[] out = new float[images.length];
            for (int k = 0; k < images.length; k++) {
                out[k] = m[images[k]][text];
            }
            return out;
        }
    }

    @Test
    void top2RerankedByHand() {
        MatrixReranker r = new MatrixReranker(SECOND);
        RerankedRetrievalEval.Result res = RerankedRetrievalEval.evaluate(FIRST, TEXT_TO_IMAGE, 2, r, KS,
                TieRule.PESSIMISTIC);
        // image 0: shortlist {0, 1}; its caption 0 (0.2) now behind text 1 (0.9) -> 2 (the first stage had it at 1)
        // image 1: shortlist {0, 2} misses its caption 1; both shortlisted, then text 3 (first stage 0.5 > 0.3) -> 4
        // image 2: shortlist {3, 2}; its caption 2 (0.9) behind text 3 (0.95) -> 2
        assertArrayEquals(new int[] {2, 4, 2}, res.retrieval().imageToText().ranks());
        // text 0: {img0, img1} -> 0.2 < 0.3 -> 2; text 1: {img0, img1} -> 0.1 < 0.9 -> 2; text 2: {img1, img2} -> 1;
        // text 3: {img1, img2} misses img0, nothing else above it by the first stage -> 3
        assertArrayEquals(new int[] {2, 2, 1, 3}, res.retrieval().textToImage().ranks());
        assertArrayEquals(new double[] {0, 2 / 3.0, 1}, res.retrieval().imageToText().recall(), 1e-12);
        assertArrayEquals(new double[] {0.25, 0.75, 1}, res.retrieval().textToImage().recall(), 1e-12);
        assertEquals(3 * 2 + 4 * 2, res.pairScores());
        assertEquals(2, res.topK());
        // the reranker saw exactly the first stage's top 2, best first
        assertArrayEquals(new int[] {0, 1}, r.imageCalls.get(0));
        assertArrayEquals(new int[] {0, 2}, r.imageCalls.get(1));
        assertArrayEquals(new int[] {3, 2}, r.imageCalls.get(2));
        assertArrayEquals(new int[] {1, 2}, r.textCalls.get(3));
    }

    @Test
    void topOneKeepsTheFirstStageAndTopAllIsTheSecondStage() {
        Random rnd = new Random(7);
        int nImages = 9;
        int nTexts = 14;
        int[] t2i = new int[nTexts];
        for (int t = 0; t < nTexts; t++) {
            t2i[t] = t < nImages ? t : rnd.nextInt(nImages);
        }
        float[][] first = new float[nImages][nTexts];
        float[][] second = new float[nImages][nTexts];
        for (int i = 0; i < nImages; i++) {
            for (int t = 0; t < nTexts; t++) {
                first[i][t] = rnd.nextFloat();
                second[i][t] = rnd.nextFloat();
            }
        }
        int[] ks = {1, 3, 5};
        for (TieRule rule : TieRule.values()) {
            RetrievalResult a = RerankedRetrievalEval.evaluate(first, t2i, 1, new MatrixReranker(second), ks, rule)
                    .retrieval();
            RetrievalResult b = RetrievalEval.fromScores(first, t2i, ks, rule);
            assertArrayEquals(b.imageToText().ranks(), a.imageToText().ranks());
            assertArrayEquals(b.textToImage().ranks(), a.textToImage().ranks());
            RetrievalResult c = RerankedRetrievalEval.evaluate(first, t2i, 100, new MatrixReranker(second), ks, rule)
                    .retrieval();
            RetrievalResult d = RetrievalEval.fromScores(second, t2i, ks, rule);
            assertArrayEquals(d.imageToText().ranks(), c.imageToText().ranks());
            assertArrayEquals(d.textToImage().ranks(), c.textToImage().ranks());
        }
    }

    @Test
    void tiesInTheSecondStageFollowTheRule() {
        float[][] flat = {{0.5f, 0.5f, 0.5f, 0.5f}, {0.5f, 0.5f, 0.5f, 0.5f}, {0.5f, 0.5f, 0.5f, 0.5f}};
        RetrievalResult p = RerankedRetrievalEval.evaluate(FIRST, TEXT_TO_IMAGE, 4, new MatrixReranker(flat), KS,
                TieRule.PESSIMISTIC).retrieval();
        RetrievalResult o = RerankedRetrievalEval.evaluate(FIRST, TEXT_TO_IMAGE, 4, new MatrixReranker(flat), KS,
                TieRule.OPTIMISTIC).retrieval();
        assertEquals(0, p.imageToText().recallAt(1), "saturated scores must not look like success");
        assertEquals(1, o.imageToText().recallAt(1));
        assertTrue(p.imageToText().tiedQueries() == 3);
    }

    @Test
    void badInputIsNamed() {
        MatrixReranker r = new MatrixReranker(SECOND);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RerankedRetrievalEval.evaluate(FIRST,
                TEXT_TO_IMAGE, 0, r, KS, TieRule.PESSIMISTIC)).getMessage().contains(">= 1"));
        RerankedRetrievalEval.Reranker short1 = new RerankedRetrievalEval.Reranker() {
            public float[] imageWithTexts(int image, int[] texts) {
                return new float[1];
            }

            public float[] textWithImages(int text, int[] images) {
                return new float[images.length];
            }
        };
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RerankedRetrievalEval.evaluate(FIRST,
                TEXT_TO_IMAGE, 3, short1, KS, TieRule.PESSIMISTIC)).getMessage().contains("image 0"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RerankedRetrievalEval.evaluate(FIRST,
                new int[] {0, 1, 1, 1}, 2, r, KS, TieRule.PESSIMISTIC)).getMessage().contains("image 2 has no caption"));
    }
}
