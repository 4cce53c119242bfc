package org.vlm4j.model.generative;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.vlm4j.text.BpeTrainer;
import org.vlm4j.text.ClipBpeTokenizer;

/** The joint vocabulary's layout, both sequence orders, training rows, and reading a generated image back. */
class FusionVocabularyTest {
    final FusionVocabulary v = new FusionVocabulary(10, 4); // text 0..9, codes 10..13, <image> 14, </image> 15, <pad> 16

    @Test
    void layoutAndBothSequenceOrders() {
        assertEquals(14, v.imageStart());
        assertEquals(15, v.imageEnd());
        assertEquals(16, v.pad());
        assertEquals(17, v.size());
        assertEquals(13, v.codeToken(3));
        assertTrue(v.isCode(10) && v.isCode(13) && !v.isCode(9) && !v.isCode(14));
        assertTrue(v.isText(0) && !v.isText(10));
        long[] text = {1, 5, 2};
        int[] codes = {3, 0, 2, 2};
        assertArrayEquals(new long[] {1, 5, 2, 14, 13, 10, 12, 12, 15}, v.captionToImage(text, codes));
        assertArrayEquals(new long[] {14, 13, 10, 12, 12, 15, 1, 5, 2}, v.imageToCaption(codes, text));
        assertThrows(IllegalArgumentException.class, () -> v.captionToImage(new long[] {1, 11}, codes),
                "a code is not text");
        assertThrows(IllegalArgumentException.class, () -> v.image(new int[] {4}), "outside the codebook");
    }

    @Test
    void rowsShiftTargetsByOneAndPadWithTheIgnoredToken() {
        FusionVocabulary.Rows r = v.rows(List.of(new long[] {1, 5, 2, 14}, new long[] {14, 10, 15}), 4);
        assertArrayEquals(new long[] {1, 5, 2, 16}, r.inputs()[0]);
        assertArrayEquals(new long[] {5, 2, 14, 16}, r.targets()[0]);
        assertArrayEquals(new long[] {14, 10, 16, 16}, r.inputs()[1]);
        assertArrayEquals(new long[] {10, 15, 16, 16}, r.targets()[1]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> v.rows(List.of(new long[] {1, 2, 3, 4, 5, 6}), 4));
        assertTrue(e.getMessage().contains("sequence 0 has 6 tokens"), e.getMessage());
    }

    @Test
    void aGeneratedImageIsReadBackOrRejectedWithItsPosition() {
        assertArrayEquals(new int[] {3, 0, 2, 2}, v.firstImage(new long[] {1, 2, 14, 13, 10, 12, 12, 15, 3}, 4));
        assertArrayEquals(new int[] {3, 0, 2, 2}, v.firstImage(new long[] {14, 13, 10, 12, 12}, 4), "cut at the end");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> v.firstImage(new long[] {14, 13, 5, 12, 12}, 4))
                .getMessage().contains("token 2 (5)"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> v.firstImage(new long[] {14, 13, 10}, 4))
                .getMessage().contains("has 2 tokens"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> v.firstImage(new long[] {14, 13, 10, 12, 12, 3}, 4))
                .getMessage().contains("should close the image"));
        assertThrows(IllegalArgumentException.class, () -> v.firstImage(new long[] {1, 2}, 4));
        assertArrayEquals(new int[] {1, 5, 2}, v.textIds(new long[] {14, 13, 15, 1, 5, 2, 16}));
    }

    @Test
    void captionsComeFromTheTextTokenizerWithoutItsPadding() {
        ClipBpeTokenizer tok = BpeTrainer.of(540).train(List.of("a red circle", "a blue square", "a red square"))
                .tokenizer();
        FusionVocabulary fv = FusionVocabulary.of(tok, 8);
        long[] c = FusionVocabulary.caption(tok, "a red circle", 16);
        assertEquals(tok.sotId(), c[0]);
        assertEquals(tok.eotId(), c[c.length - 1]);
        assertTrue(c.length < 16, "no padding");
        assertEquals("a red circle", tok.decode(fv.textIds(fv.imageToCaption(new int[] {1, 2}, c))).strip());
        long[] cut = FusionVocabulary.caption(tok, "a red circle a red circle a red circle", 4);
        assertEquals(4, cut.length);
        assertEquals(tok.eotId(), cut[3]);
        assertFalse(fv.isCode(c[1]));
    }
}
