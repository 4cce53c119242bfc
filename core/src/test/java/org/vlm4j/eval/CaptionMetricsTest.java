package org.vlm4j.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** BLEU and CIDEr-D on small corpora worked out by hand (the working is in the comments). */
class CaptionMetricsTest {
    static List<String> t(String s) {
        return CaptionTokens.of(s);
    }

    @Test
    void tokenisationIsLowerCasePunctuationFreePtbLike() {
        assertEquals(List.of("a", "dog", "'s", "ball", "is", "n't", "red"), t("A dog's ball isn't RED!"));
        assertEquals(List.of("well-known", "men", "at", "work", "1990s"), t("\"Well-known\" men, (at) work; 1990s"));
        assertEquals(List.of("hello", "world"), t("  --hello...   world?? "));
        assertEquals(List.of(), t(" ... !"));
    }

    @Test
    void bleuOfPapinenisModifiedPrecisionExample() {
        // Papineni et al. 2002, section 2.1: candidate "the the the the the the the" against "The cat is on the mat."
        // and "There is a cat on the mat.": "the" is clipped to 2 (its count in reference 1), so p1 = 2/7; the
        // candidate has 7 words, the references 6 and 7, the closest is 7, so no brevity penalty: BLEU-1 = 2/7.
        Bleu.Result r = Bleu.corpus(List.of(t("the the the the the the the")),
                List.of(List.of(t("The cat is on the mat."), t("There is a cat on the mat."))));
        assertEquals(2, r.matches()[0]);
        assertEquals(7, r.totals()[0]);
        assertEquals(2.0 / 7, r.bleu()[0], 1e-9);
        // c = r: pycocoevalcap's ratio (c + 1e-15) / (r + 1e-9) is a hair below 1, and so is its penalty
        assertEquals(1.0, r.brevityPenalty(), 1e-9);
    }

    @Test
    void corpusBleuSumsCountsOverImagesBeforeDividing() {
        // Image A: "the cat sat on the mat" vs "the cat is on the mat" / "there is a cat on the mat"
        //   1-grams: the x2 (max ref count 2), cat, sat (0), on, mat  -> 5 of 6
        //   2-grams: the cat, cat sat (0), sat on (0), on the, the mat -> 3 of 5
        //   3-grams: the cat sat, cat sat on, sat on the, on the mat (only the last) -> 1 of 4
        //   4-grams: none of 3 match -> 0 of 3; lengths 6 vs refs 6, 7 -> closest 6
        // Image B: "a dog runs in the park" vs "a dog runs in a park" / "the dog is running in the park"
        //   1-grams 6 of 6; 2-grams a dog, dog runs, runs in (ref 1), in the, the park (ref 2) -> 5 of 5
        //   3-grams a dog runs, dog runs in, in the park (runs in the: no) -> 3 of 4; 4-grams a dog runs in -> 1 of 3
        //   lengths 6 vs 6, 7 -> closest 6
        // Corpus: p = 11/12, 8/10, 4/8, 1/6; c = r = 12, BP = 1.
        //   BLEU-1 = 11/12 = 0.916667; BLEU-2 = (11/12 * 8/10)^(1/2) = 0.856349
        //   BLEU-3 = (11/12 * 8/10 * 4/8)^(1/3) = 0.715743; BLEU-4 = (11/12 * 8/10 * 4/8 * 1/6)^(1/4) = 0.497199
        // (The mean of the per-image BLEU-4 would differ: image A alone has no 4-gram match.)
        Bleu.Result r = Bleu.corpus(List.of(t("the cat sat on the mat"), t("a dog runs in the park")), List.of(
                List.of(t("the cat is on the mat"), t("there is a cat on the mat")),
                List.of(t("a dog runs in a park"), t("the dog is running in the park"))));
        assertEquals(List.of(11L, 8L, 4L, 1L), List.of(r.matches()[0], r.matches()[1], r.matches()[2], r.matches()[3]));
        assertEquals(List.of(12L, 10L, 8L, 6L), List.of(r.totals()[0], r.totals()[1], r.totals()[2], r.totals()[3]));
        assertEquals(0.9166667, r.bleu()[0], 1e-6);
        assertEquals(0.8563488, r.bleu()[1], 1e-6);
        assertEquals(0.7157431, r.bleu()[2], 1e-6);
        assertEquals(0.4971988, r.bleu()[3], 1e-6);
        // no 4-gram match anywhere: BLEU-4 is (all but) zero, as pycocoevalcap's 1e-15 numerator makes it
        Bleu.Result a = Bleu.corpus(List.of(t("the cat sat on the mat")),
                List.of(List.of(t("the cat is on the mat"), t("there is a cat on the mat"))));
        assertTrue(a.bleu()[3] < 1e-3 && a.bleu()[2] > 0.4, "BLEU-4 " + a.bleu()[3]);
    }

    @Test
    void brevityPenaltyUsesTheClosestReferenceLengthShorterOnATie() {
        // "a cat" (c = 2) vs "a black cat" (3) and "a cat on the mat" (5): r = 3, p1 = p2 = 1,
        // BP = exp(1 - 3/2) = exp(-0.5) = 0.606531 = BLEU-1 = BLEU-2
        Bleu.Result r = Bleu.corpus(List.of(t("a cat")), List.of(List.of(t("a black cat"), t("a cat on the mat"))));
        assertEquals(3, r.referenceLength());
        assertEquals(Math.exp(-0.5), r.bleu()[0], 1e-9);
        assertEquals(Math.exp(-0.5), r.bleu()[1], 1e-9);
        // "a cat" vs "cat" (1) and "a black cat" (3): both 1 away, the shorter wins, r = 1 < c: no penalty
        Bleu.Result tie = Bleu.corpus(List.of(t("a cat")), List.of(List.of(t("a black cat"), t("cat"))));
        assertEquals(1, tie.referenceLength());
        assertEquals(1.0, tie.bleu()[0], 1e-9);
    }

    @Test
    void ciderDOfTwoImagesWithIdfClippingAndLengthPenalty() {
        // |I| = 2 images, so idf = ln 2 - ln df, = 0 for an n-gram in both images' references, = L = ln 2 for one in
        // one image's, and = ln 2 also for an n-gram in none (df counts as 1).
        // Image 1: "a red circle" vs its one reference "a red circle". "a" occurs in both images (weight 0); every
        // other 1-, 2-, 3-gram has weight L. Cosines of identical vectors: 1, 1, 1 for n = 1..3; no 4-grams: 0.
        // Equal lengths, penalty 1. Score = 10 x (1 + 1 + 1 + 0) / 4 = 7.5.
        // Image 2: "a red square" vs "a blue square". 1-grams: cand (a 0, red L, square L), ref (a 0, blue L,
        // square L): clipped dot = min(L, L) L = L^2 for "square", norms L sqrt 2 each -> cos 1/2. No shared 2- or
        // 3-gram. Score = 10 x 0.5 / 4 = 1.25. Corpus = (7.5 + 1.25) / 2 = 4.375.
        CiderD.Result r = CiderD.corpus(List.of(t("a red circle"), t("a red square")),
                List.of(List.of(t("a red circle")), List.of(t("a blue square"))));
        assertEquals(7.5, r.perImage()[0], 1e-9);
        assertEquals(1.25, r.perImage()[1], 1e-9);
        assertEquals(4.375, r.score(), 1e-9);
    }

    @Test
    void ciderDClipsRepeatsAveragesReferencesAndPenalisesLength() {
        // |I| = 2, every reference n-gram is in one image only: weight L = ln 2 per occurrence.
        // Image 1: "red red red" (1-gram red: 3L; 2-gram "red red": 2L; 3-gram: L; length = 2 bigrams)
        //   vs "red circle" (red L, circle L, norm L sqrt 2; "red circle" L; length 1):
        //     n=1: clipped min(3L, L) L = L^2 over 3L x L sqrt 2 = 1/(3 sqrt 2) = 0.235702; n=2,3,4: 0;
        //     penalty exp(-(2-1)^2 / 72) = 0.986207 -> 0.232451
        //   vs "a red circle" (1-grams norm L sqrt 3; length 2): n=1: 1/(3 sqrt 3) = 0.192450, penalty 1
        //   score = 10 x (0.232451 + 0.192450) / 4 / 2 references = 0.531127
        // Image 2: "blue" (blue L; no bigram, length 0) vs "blue square" (norm L sqrt 2, length 1):
        //   n=1: 1/sqrt 2 = 0.707107, penalty exp(-1/72) -> 0.697354; score = 10 x 0.697354 / 4 = 1.743384
        // Corpus = (0.531127 + 1.743384) / 2 = 1.137256. Without clipping image 1's 1-gram term would be 3x larger.
        CiderD.Result r = CiderD.corpus(List.of(t("red red red"), t("blue")),
                List.of(List.of(t("red circle"), t("a red circle")), List.of(t("blue square"))));
        assertEquals(0.5311267, r.perImage()[0], 1e-6);
        assertEquals(1.7433843, r.perImage()[1], 1e-6);
        assertEquals(1.1372555, r.score(), 1e-6);
    }

    @Test
    void scoreTokenisesAndRejectsMissingReferences() {
        CaptioningResult r = CaptioningEval.score(List.of("x.png", "y.png"), List.of("A red circle.", "a RED square"),
                List.of(List.of("a red circle"), List.of("A blue square!")), Map.of());
        assertEquals(4.375, r.ciderD(), 1e-9);
        assertEquals(2, r.n());
        assertEquals(4.375, (double) r.toJson(1).get("CIDEr-D"), 1e-9);
        assertTrue(r.toJson(1).containsKey("BLEU-4"));
        assertThrows(IllegalArgumentException.class, () -> Bleu.corpus(List.of(t("a")), List.of(List.of())));
        assertThrows(IllegalArgumentException.class, () -> CiderD.corpus(List.of(t("a")), List.of()));
    }
}
