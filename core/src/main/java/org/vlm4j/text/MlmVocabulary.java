package org.vlm4j.text;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * BERT's four special tokens on top of a text tokenizer, the one way vlm4j's masking families (VisualBERT, ViLBERT,
 * FLAVA, MaskVLM) read text. No second tokenizer: the words are the existing CLIP BPE's (fitted to the run's captions
 * by {@link BpeTrainer}, or CLIP's own), and the specials map onto it as
 * <ul>
 *   <li>{@code [CLS]} = the BPE's start-of-text id, {@code [SEP]} = its end-of-text id (both never come out of
 *       ordinary words);</li>
 *   <li>{@code [MASK]} = {@code textSize}, {@code [PAD]} = {@code textSize + 1}: two ids after the tokenizer's own, so
 *       a model's token embedding has {@link #size()} = {@code textSize + 2} rows. {@code [PAD]} is needed because
 *       the BPE's pad id 0 is a real token ("!").</li>
 * </ul>
 * A row is {@code [CLS] words [SEP] [PAD]...}; a too-long row is cut and ends with {@code [SEP]}. The literal text
 * {@code [MASK]} in an input (as in {@code vlm4j fill-mask --text "a [MASK] circle"}) becomes the mask id; the words
 * around it are encoded as usual (the BPE pre-tokenises on word boundaries, so "a [MASK] circle" gives the ids of "a"
 * and "circle" it gives in "a red circle"). The tokenizer saved in a model directory is the plain BPE; these ids
 * follow from its size.
 */
public final class MlmVocabulary {
    public static final String MASK_TOKEN = "[MASK]";

    private final Tokenizer tokenizer;
    private final int textSize;

    public MlmVocabulary(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
        this.textSize = tokenizer.vocabSize();
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public int cls() {
        return tokenizer.sotId();
    }

    public int sep() {
        return tokenizer.eotId();
    }

    public int mask() {
        return textSize;
    }

    public int pad() {
        return textSize + 1;
    }

    /** Rows of a model's token embedding: the tokenizer's ids and the two added ones. */
    public int size() {
        return textSize + 2;
    }

    /** The ids of a text, a literal {@code [MASK]} as the mask id, without [CLS]/[SEP]. */
    public int[] encode(String text) {
        List<Integer> out = new ArrayList<>();
        int from = 0;
        while (true) {
            int at = text.indexOf(MASK_TOKEN, from);
            String piece = at < 0 ? text.substring(from) : text.substring(from, at);
            if (!piece.isBlank()) {
                for (int id : tokenizer.encode(piece)) {
                    out.add(id);
                }
            }
            if (at < 0) {
                break;
            }
            out.add(mask());
            from = at + MASK_TOKEN.length();
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** One row per text: {@code [CLS] ids [SEP]} filled with {@code [PAD]} to {@code contextLength}. */
    public long[][] rows(List<String> texts, int contextLength) {
        if (contextLength < 2) {
            throw new IllegalArgumentException("context length must be at least 2 ([CLS] and [SEP]), got "
                    + contextLength);
        }
        long[][] rows = new long[texts.size()][contextLength];
        for (int r = 0; r < rows.length; r++) {
            int[] ids = encode(texts.get(r));
            long[] row = rows[r];
            Arrays.fill(row, pad());
            int n = Math.min(ids.length + 2, contextLength);
            row[0] = cls();
            for (int i = 1; i < n - 1; i++) {
                row[i] = ids[i - 1];
            }
            row[n - 1] = sep();
        }
        return rows;
    }

    /** True at real tokens (what MLM may select): not [CLS], [SEP] or [PAD]. */
    public boolean[][] maskable(long[][] rows) {
        boolean[][] out = new boolean[rows.length][];
        for (int r = 0; r < rows.length; r++) {
            out[r] = new boolean[rows[r].length];
            for (int t = 0; t < rows[r].length; t++) {
                long id = rows[r][t];
                out[r][t] = id != cls() && id != sep() && id != pad();
            }
        }
        return out;
    }

    /** The ids random MLM replacements are drawn from: the tokenizer's, without [CLS] and [SEP]. */
    public long[] randomIds() {
        long[] out = new long[textSize - 2];
        int k = 0;
        for (int id = 0; id < textSize; id++) {
            if (id != cls() && id != sep()) {
                out[k++] = id;
            }
        }
        return Arrays.copyOf(out, k);
    }

    /** A readable form of one id: the special's name or the decoded word piece. */
    public String token(int id) {
        if (id == mask()) {
            return MASK_TOKEN;
        }
        if (id == pad()) {
            return "[PAD]";
        }
        if (id == cls()) {
            return "[CLS]";
        }
        if (id == sep()) {
            return "[SEP]";
        }
        if (id < 0 || id >= size()) {
            throw new IllegalArgumentException("id " + id + " outside the vocabulary [0, " + size() + ")");
        }
        return tokenizer.decode(new int[] {id}).strip();
    }
}
