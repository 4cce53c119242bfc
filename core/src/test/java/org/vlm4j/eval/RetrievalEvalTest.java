package org.vlm4j.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Retrieval metrics against values worked by hand (comments), ties and several captions per image included. */
class RetrievalEvalTest {
    static final int[] K123 = {1, 2, 3, 5, 10};

    /*
     * 4 images x 4 texts, caption t_i belongs to image i (OpenCLIP's diagonal ground truth). Rows: images.
     *
     *            t0    t1    t2    t3
     *      i0   0.9   0.1   0.3   0.9
     *      i1   0.5   0.5   0.2   0.1
     *      i2   0.3   0.8   0.4   0.6
     *      i3   0.9   0.1   0.7   0.7
     *
     * Image -> text (row i, correct t_i): (wrong above, wrong tied) -> pessimistic rank / optimistic rank
     *   i0: correct 0.9; t3 = 0.9 tied                  (0,1) -> 2 / 1
     *   i1: correct 0.5; t0 = 0.5 tied                  (0,1) -> 2 / 1
     *   i2: correct 0.4; t1 = 0.8 and t3 = 0.6 above    (2,0) -> 3 / 3
     *   i3: correct 0.7; t0 = 0.9 above, t2 = 0.7 tied  (1,1) -> 3 / 2
     *   pessimistic ranks 2,2,3,3: R@1 0, R@2 2/4, R@3 1, R@5 1, R@10 1; mean 10/4 = 2.5;
     *       median (2+3)/2 = 2.5 -> floor 2; tied queries 3
     *   optimistic ranks 1,1,3,2: R@1 2/4, R@2 3/4, R@3 1; mean 7/4 = 1.75; sorted 1,1,2,3 -> median 1.5 -> 1
     *   (OpenCLIP's argsort with ties kept in index order, as std::sort does on rows this short, would give 1,2,3,3:
     *   the answer depends on where the correct item sits, which is why a rule is needed.)
     *
     * Text -> image (column t, correct i_t):
     *   t0: col 0.9 0.5 0.3 0.9; correct 0.9; i3 = 0.9 tied   (0,1) -> 2 / 1
     *   t1: col 0.1 0.5 0.8 0.1; correct 0.5; i2 = 0.8 above  (1,0) -> 2 / 2
     *   t2: col 0.3 0.2 0.4 0.7; correct 0.4; i3 = 0.7 above  (1,0) -> 2 / 2
     *   t3: col 0.9 0.1 0.6 0.7; correct 0.7; i0 = 0.9 above  (1,0) -> 2 / 2
     *   pessimistic ranks 2,2,2,2: R@1 0, R@2 1; mean 2; median 2; tied queries 1
     *   optimistic ranks 1,2,2,2: R@1 1/4, R@2 1; mean 7/4 = 1.75; median 2
     */
    static final float[][] FOUR = {
        {0.9f, 0.1f, 0.3f, 0.9f},
        {0.5f, 0.5f, 0.2f, 0.1f},
        {0.3f, 0.8f, 0.4f, 0.6f},
        {0.9f, 0.1f, 0.7f, 0.7f},
    };
    static final int[] DIAGONAL = {0, 1, 2, 3};

    @Test
    void fourByFourPessimistic() {
        RetrievalResult r = RetrievalEval.fromScores(FOUR, DIAGONAL, K123, TieRule.PESSIMISTIC);
        RetrievalResult.Direction i2t = r.imageToText();
        assertArrayEquals(new int[] {2, 2, 3, 3}, i2t.ranks());
        assertArrayEquals(new double[] {0, 0.5, 1, 1, 1}, i2t.recall());
        assertEquals(2.5, i2t.meanRank());
        assertEquals(2.0, i2t.medianRank());
        assertEquals(3, i2t.tiedQueries());
        RetrievalResult.Direction t2i = r.textToImage();
        assertArrayEquals(new int[] {2, 2, 2, 2}, t2i.ranks());
        assertArrayEquals(new double[] {0, 1, 1, 1, 1}, t2i.recall());
        assertEquals(2.0, t2i.meanRank());
        assertEquals(2.0, t2i.medianRank());
        assertEquals(1, t2i.tiedQueries());
    }

    @Test
    void fourByFourOptimistic() {
        RetrievalResult r = RetrievalEval.fromScores(FOUR, DIAGONAL, K123, TieRule.OPTIMISTIC);
        assertArrayEquals(new int[] {1, 1, 3, 2}, r.imageToText().ranks());
        assertArrayEquals(new double[] {0.5, 0.75, 1, 1, 1}, r.imageToText().recall());
        assertEquals(1.75, r.imageToText().meanRank());
        assertEquals(1.0, r.imageToText().medianRank());
        assertArrayEquals(new int[] {1, 2, 2, 2}, r.textToImage().ranks());
        assertArrayEquals(new double[] {0.25, 1, 1, 1, 1}, r.textToImage().recall());
        assertEquals(1.75, r.textToImage().meanRank());
        assertEquals(2.0, r.textToImage().medianRank());
    }

    @Test
    void defaultsArePessimisticOneFiveTenAndJsonHasTheContractKeys() {
        Map<String, Object> j = RetrievalEval.fromScores(FOUR, DIAGONAL).toJson();
        for (String key : List.of("image_to_text_R@1", "image_to_text_R@5", "image_to_text_R@10", "text_to_image_R@1",
                "text_to_image_R@5", "text_to_image_R@10", "n_images", "n_texts", "image_to_text_mean_rank",
                "image_to_text_median_rank", "text_to_image_mean_rank", "text_to_image_median_rank")) {
            assertTrue(j.containsKey(key), key);
        }
        assertEquals(0.0, j.get("image_to_text_R@1"));
        assertEquals(1.0, j.get("image_to_text_R@5"));
        assertEquals(1.0, j.get("text_to_image_R@10"));
        assertEquals(2.5, j.get("image_to_text_mean_rank"));
        assertEquals(4, j.get("n_images"));
        assertEquals(4, j.get("n_texts"));
        assertEquals("pessimistic", j.get("tie_rule"));
    }

    /*
     * 2 images x 2 captions each: t0, t1 belong to i0; t2, t3 to i1.
     *
     *            t0    t1    t2    t3
     *      i0   0.2   0.6   0.6   0.3
     *      i1   0.3   0.3   0.5   0.3
     *
     * Image -> text: an image's rank is that of its best caption among the WRONG texts; its other caption is ignored.
     *   i0: best own = t1 0.6 (t0's 0.2 does not matter); wrong t2 = 0.6 tied, t3 = 0.3 below  (0,1) -> 2 / 1
     *   i1: best own = t2 0.5; wrong t0 = t1 = 0.3 below (t3 = 0.3 is its own)               (0,0) -> 1 / 1
     *   pessimistic 2,1: R@1 1/2, R@5 1; mean 1.5; median 1.5 -> 1; tied 1
     *   optimistic 1,1: R@1 1; mean 1; median 1
     * Text -> image (two candidates each):
     *   t0 (i0): col 0.2 0.3; i1 above        (1,0) -> 2 / 2
     *   t1 (i0): col 0.6 0.3                  (0,0) -> 1 / 1
     *   t2 (i1): col 0.6 0.5; i0 above        (1,0) -> 2 / 2
     *   t3 (i1): col 0.3 0.3; i0 tied         (0,1) -> 2 / 1
     *   pessimistic 2,1,2,2: R@1 1/4, R@5 1; mean 7/4; sorted 1,2,2,2 -> median 2
     *   optimistic 2,1,2,1: R@1 2/4; mean 6/4; median 1.5 -> 1
     */
    static final float[][] TWO_BY_TWO = {
        {0.2f, 0.6f, 0.6f, 0.3f},
        {0.3f, 0.3f, 0.5f, 0.3f},
    };
    static final int[] TWO_CAPTIONS = {0, 0, 1, 1};

    @Test
    void twoImagesTwoCaptionsEach() {
        RetrievalResult p = RetrievalEval.fromScores(TWO_BY_TWO, TWO_CAPTIONS);
        assertEquals(2, p.nImages());
        assertEquals(4, p.nTexts());
        assertArrayEquals(new int[] {2, 1}, p.imageToText().ranks());
        assertEquals(0.5, p.imageToText().recallAt(1));
        assertEquals(1.0, p.imageToText().recallAt(5));
        assertEquals(1.0, p.imageToText().recallAt(10));
        assertEquals(1.5, p.imageToText().meanRank());
        assertEquals(1.0, p.imageToText().medianRank());
        assertEquals(1, p.imageToText().tiedQueries());
        assertArrayEquals(new int[] {2, 1, 2, 2}, p.textToImage().ranks());
        assertEquals(0.25, p.textToImage().recallAt(1));
        assertEquals(1.0, p.textToImage().recallAt(5));
        assertEquals(1.75, p.textToImage().meanRank());
        assertEquals(2.0, p.textToImage().medianRank());

        RetrievalResult o = RetrievalEval.fromScores(TWO_BY_TWO, TWO_CAPTIONS, RetrievalEval.DEFAULT_KS,
                TieRule.OPTIMISTIC);
        assertArrayEquals(new int[] {1, 1}, o.imageToText().ranks());
        assertEquals(1.0, o.imageToText().recallAt(1));
        assertEquals(1.0, o.imageToText().meanRank());
        assertEquals(1.0, o.imageToText().medianRank());
        assertArrayEquals(new int[] {2, 1, 2, 1}, o.textToImage().ranks());
        assertEquals(0.5, o.textToImage().recallAt(1));
        assertEquals(1.5, o.textToImage().meanRank());
        assertEquals(1.0, o.textToImage().medianRank());
    }

    @Test
    void anImagesOwnCaptionsTiedWithEachOtherDoNotCountAgainstIt() {
        // i0's two captions both score 0.5, the wrong t2 0.1: rank 1, not 2. i1: own t2 0.9 -> rank 1.
        RetrievalResult r = RetrievalEval.fromScores(new float[][] {{0.5f, 0.5f, 0.1f}, {0.2f, 0.2f, 0.9f}},
                new int[] {0, 0, 1});
        assertArrayEquals(new int[] {1, 1}, r.imageToText().ranks());
        assertEquals(0, r.imageToText().tiedQueries());
    }

    @Test
    void collapsedModelScoresZeroNotOne() {
        // every embedding the same: every score ties. Pessimistic: each query ranks last.
        float[][] img = new float[5][];
        float[][] txt = new float[10][];
        int[] owner = new int[10];
        for (int i = 0; i < 5; i++) {
            img[i] = new float[] {0.6f, 0.8f};
        }
        for (int t = 0; t < 10; t++) {
            txt[t] = new float[] {0.6f, 0.8f};
            owner[t] = t / 2;
        }
        RetrievalResult r = RetrievalEval.evaluate(img, txt, owner);
        assertEquals(0.0, r.imageToText().recallAt(1));
        assertEquals(1.0, r.imageToText().recallAt(10)); // 8 wrong texts tie -> rank 9
        assertEquals(0.0, r.imageToText().recallAt(5));
        assertEquals(9.0, r.imageToText().meanRank());
        assertEquals(5.0, r.textToImage().meanRank()); // 4 wrong images tie -> rank 5
        assertEquals(0.0, r.textToImage().recallAt(1));
        assertEquals(1.0, r.textToImage().recallAt(5));
        assertEquals(5, r.imageToText().tiedQueries());
        assertEquals(10, r.textToImage().tiedQueries());
        RetrievalResult o = RetrievalEval.evaluate(img, txt, owner, RetrievalEval.DEFAULT_KS, TieRule.OPTIMISTIC);
        assertEquals(1.0, o.imageToText().recallAt(1));
    }

    /*
     * Identical captions as one item. Captions: t0 "red" (i0), t1 "blue" (i1), t2 "green" (i2), t3 "red" (i3); the
     * two "red" columns are equal, as one text encoder makes them.
     *
     *            t0    t1    t2    t3
     *      i0   0.9   0.2   0.1   0.9
     *      i1   0.3   0.8   0.4   0.3
     *      i2   0.5   0.6   0.4   0.5
     *      i3   0.7   0.1   0.2   0.7
     *
     * Image -> text, pessimistic. Without groups: i0 t3 tied (rank 2); i1 1; i2 t0, t1, t3 above (4); i3 t0 tied (2).
     * With groups i0 and i3 own both "red" texts: ranks 1, 1, 4, 1.
     * Text -> image. Without groups: t0 1; t1 1; t2 i1 = 0.4 tied (2); t3 i0 = 0.9 above its 0.7 (2).
     * With groups "red" is correct for i0 and i3 (best 0.9): ranks 1, 1, 2, 1.
     */
    static final float[][] REPEATED = {
        {0.9f, 0.2f, 0.1f, 0.9f},
        {0.3f, 0.8f, 0.4f, 0.3f},
        {0.5f, 0.6f, 0.4f, 0.5f},
        {0.7f, 0.1f, 0.2f, 0.7f},
    };

    @Test
    void identicalCaptionsAcrossImagesAreOneItemWithGroups() {
        int[] groups = RetrievalEval.captionGroups(List.of("red", "blue", "green", "red"));
        assertArrayEquals(new int[] {0, 1, 2, 0}, groups);
        RetrievalResult plain = RetrievalEval.fromScores(REPEATED, DIAGONAL, K123, TieRule.PESSIMISTIC);
        assertArrayEquals(new int[] {2, 1, 4, 2}, plain.imageToText().ranks());
        assertArrayEquals(new int[] {1, 1, 2, 2}, plain.textToImage().ranks());
        RetrievalResult grouped = RetrievalEval.fromScores(REPEATED, DIAGONAL, groups, K123, TieRule.PESSIMISTIC);
        assertArrayEquals(new int[] {1, 1, 4, 1}, grouped.imageToText().ranks());
        assertArrayEquals(new int[] {1, 1, 2, 1}, grouped.textToImage().ranks());
        assertEquals(0, grouped.imageToText().tiedQueries());
        assertEquals(1, grouped.textToImage().tiedQueries());
    }

    @Test
    void distinctCaptionsGiveTheSameResultWithOrWithoutGroups() {
        Random rnd = new Random(3);
        int nImg = 17;
        int nTxt = 40;
        float[][] scores = new float[nImg][nTxt];
        int[] owner = new int[nTxt];
        List<String> captions = new ArrayList<>();
        for (int t = 0; t < nTxt; t++) {
            owner[t] = t < nImg ? t : rnd.nextInt(nImg);
            captions.add("caption " + t);
        }
        for (float[] row : scores) {
            for (int t = 0; t < nTxt; t++) {
                row[t] = rnd.nextInt(6) / 5f; // coarse: many ties
            }
        }
        for (TieRule rule : TieRule.values()) {
            RetrievalResult a = RetrievalEval.fromScores(scores, owner, K123, rule);
            RetrievalResult b = RetrievalEval.fromScores(scores, owner, RetrievalEval.captionGroups(captions), K123, rule);
            assertArrayEquals(a.imageToText().ranks(), b.imageToText().ranks());
            assertArrayEquals(a.textToImage().ranks(), b.textToImage().ranks());
        }
    }

    @Test
    void embeddingPathMatchesABruteForceSortWithDuplicatesAndSmallBlocks() {
        Random rnd = new Random(7);
        int nImg = 23;
        int nTxt = 61;
        int dim = 9;
        float[][] img = new float[nImg][];
        for (int i = 0; i < nImg; i++) {
            // a coarse grid of values, and exact duplicates, make ties common
            img[i] = i % 5 == 4 ? img[i - 2].clone() : grid(rnd, dim);
        }
        float[][] txt = new float[nTxt][];
        int[] owner = new int[nTxt];
        for (int t = 0; t < nTxt; t++) {
            owner[t] = t < nImg ? t : rnd.nextInt(nImg);
            txt[t] = t % 7 == 6 ? img[owner[t]].clone() : t % 3 == 2 ? txt[t - 1].clone() : grid(rnd, dim);
        }
        float[][] scores = new float[nImg][nTxt];
        for (int i = 0; i < nImg; i++) {
            for (int t = 0; t < nTxt; t++) {
                scores[i][t] = RetrievalEval.dot(img[i], txt[t]);
            }
        }
        for (TieRule rule : TieRule.values()) {
            int[] ks = {1, 3, 5, 10};
            RetrievalResult whole = RetrievalEval.evaluate(img, txt, owner, ks, rule);
            // blocks of 2 rows (2 * 61 floats), so rows are split across blocks and workers
            RetrievalResult blocked = RetrievalEval.run(new RetrievalEval.EmbeddingScores(img, txt), owner, ks, rule,
                    2 * nTxt);
            RetrievalResult matrix = RetrievalEval.fromScores(scores, owner, ks, rule);
            int[] i2t = new int[nImg];
            for (int i = 0; i < nImg; i++) {
                List<Boolean> correct = new ArrayList<>();
                for (int t = 0; t < nTxt; t++) {
                    correct.add(owner[t] == i);
                }
                i2t[i] = bruteRank(scores[i], correct, rule);
            }
            int[] t2i = new int[nTxt];
            for (int t = 0; t < nTxt; t++) {
                float[] col = new float[nImg];
                List<Boolean> correct = new ArrayList<>();
                for (int i = 0; i < nImg; i++) {
                    col[i] = scores[i][t];
                    correct.add(owner[t] == i);
                }
                t2i[t] = bruteRank(col, correct, rule);
            }
            for (RetrievalResult r : List.of(whole, blocked, matrix)) {
                assertArrayEquals(i2t, r.imageToText().ranks(), rule + " image->text");
                assertArrayEquals(t2i, r.textToImage().ranks(), rule + " text->image");
                assertEquals(whole.toJson(), r.toJson());
            }
            assertTrue(whole.textToImage().tiedQueries() > 0, "the data should contain ties");
        }
    }

    /** Rank by sorting: score descending, and among equal scores wrong items first (pessimistic) or last. */
    static int bruteRank(float[] scores, List<Boolean> correct, TieRule rule) {
        List<Integer> idx = new ArrayList<>();
        for (int k = 0; k < scores.length; k++) {
            idx.add(k);
        }
        Comparator<Integer> byScore = (a, b) -> Double.compare(scores[b] + 0.0, scores[a] + 0.0);
        Comparator<Integer> wrongFirst = Comparator.comparing(k -> correct.get(k));
        idx.sort(byScore.thenComparing(rule == TieRule.PESSIMISTIC ? wrongFirst : wrongFirst.reversed()));
        for (int pos = 0; pos < idx.size(); pos++) {
            if (correct.get(idx.get(pos))) {
                return pos + 1;
            }
        }
        throw new AssertionError("no correct item");
    }

    static float[] grid(Random rnd, int dim) {
        float[] v = new float[dim];
        for (int d = 0; d < dim; d++) {
            v[d] = (rnd.nextInt(5) - 2) * 0.25f;
        }
        return v;
    }

    @Test
    void signedZeroScoresTie() {
        // -0.0 and 0.0 are the same score: a tie, not a win
        RetrievalResult r = RetrievalEval.fromScores(new float[][] {{0.0f, -0.0f}, {0.0f, 1f}}, new int[] {0, 1});
        assertArrayEquals(new int[] {2, 1}, r.imageToText().ranks());
    }

    @Test
    void badInputIsRejectedWithTheReason() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> RetrievalEval.fromScores(new float[][] {{1, 0}, {0, 1}, {0, 0}}, new int[] {0, 1}));
        assertTrue(e.getMessage().contains("image 2 has no caption"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> RetrievalEval.fromScores(new float[][] {{1, 0}}, new int[] {0, 1}));
        assertTrue(e.getMessage().contains("belongs to image 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> RetrievalEval.fromScores(new float[][] {{1, 0}}, new int[] {0}));
        assertTrue(e.getMessage().contains("1 entries for 2 texts"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> RetrievalEval.evaluate(new float[][] {{1, Float.NaN}},
                new float[][] {{1, 0}}, new int[] {0}));
        assertTrue(e.getMessage().contains("non-finite"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> RetrievalEval.evaluate(new float[][] {{1, 0}},
                new float[][] {{1, 0, 0}}, new int[] {0}));
        assertTrue(e.getMessage().contains("expected 2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> RetrievalEval.fromScores(FOUR, DIAGONAL, new int[] {0}, TieRule.PESSIMISTIC));
        assertTrue(e.getMessage().contains("K >= 1"), e.getMessage());
    }
}
