package org.vlm4j.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** BERT's special tokens on the CLIP BPE: ids, row layout, the literal [MASK], what MLM may select. */
class MlmVocabularyTest {
    static final ClipBpeTokenizer TOK = BpeTrainer.of(600).train(List.of("a large red circle left of a small blue square",
            "a small green triangle", "a large red circle", "a small blue square above a large green triangle"))
            .tokenizer();

    @Test
    void specialsMapOntoTheBpeAndTwoAddedIds() {
        MlmVocabulary v = new MlmVocabulary(TOK);
        assertEquals(TOK.sotId(), v.cls());
        assertEquals(TOK.eotId(), v.sep());
        assertEquals(TOK.vocabSize(), v.mask());
        assertEquals(TOK.vocabSize() + 1, v.pad());
        assertEquals(TOK.vocabSize() + 2, v.size());
        assertEquals("[MASK]", v.token(v.mask()));
        assertEquals("[CLS]", v.token(v.cls()));
        long[] random = v.randomIds();
        assertEquals(TOK.vocabSize() - 2, random.length);
        assertTrue(Arrays.stream(random).noneMatch(id -> id == v.cls() || id == v.sep()));
    }

    @Test
    void rowsAreClsWordsSepPaddedAndTheLiteralMaskIsTheMaskId() {
        MlmVocabulary v = new MlmVocabulary(TOK);
        int[] red = TOK.encode("a large red circle");
        long[] row = v.rows(List.of("a large [MASK] circle"), 10)[0];
        assertEquals(v.cls(), row[0]);
        assertEquals(red[0], row[1]);
        assertEquals(red[1], row[2]);
        assertEquals(v.mask(), row[3], "the words around [MASK] keep the ids they have in a plain caption");
        assertEquals(red[red.length - 1], row[4]);
        assertEquals(v.sep(), row[5]);
        for (int i = 6; i < 10; i++) {
            assertEquals(v.pad(), row[i]);
        }
        assertEquals("red", v.token(red[2]), "a fitted vocabulary holds the colour as one word");
        boolean[] maskable = v.maskable(new long[][] {row})[0];
        assertFalse(maskable[0]);
        assertTrue(maskable[1] && maskable[3] && maskable[4]);
        assertFalse(maskable[5] || maskable[6]);
        long[] cut = v.rows(List.of("a large red circle left of a small blue square"), 4)[0];
        assertArrayEquals(new long[] {v.cls(), red[0], red[1], v.sep()}, cut, "a cut row still ends with [SEP]");
        assertThrows(IllegalArgumentException.class, () -> v.rows(List.of("a"), 1));
    }
}
