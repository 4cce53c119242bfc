package org.vlm4j.model.generative;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.vlm4j.text.Tokenizer;

/**
 * The one vocabulary of an early-fusion token model (Chameleon, CM3leon): the text tokenizer's ids
 * {@code [0, textSize)}, then the image tokenizer's codes {@code [textSize, textSize + codebookSize)}, then three
 * special tokens: {@code <image>} and {@code </image>}, which open and close an image's grid of codes (the modality
 * switch), and {@code <pad>}, which fills rows and is ignored by the loss (the text tokenizer's own pad id is a real
 * token for CLIP's BPE). Sequences both ways, as the survey's interleaved training data:
 * caption to image {@code [sot] text [eot] <image> codes </image>} and image to caption
 * {@code <image> codes </image> [sot] text [eot]}.
 *
 * <p>The sequence layer of {@link FusionModel}.
 */
public record FusionVocabulary(int textSize, int codebookSize) {
    public FusionVocabulary {
        if (textSize <= 0 || codebookSize <= 1) {
            throw new IllegalArgumentException("need textSize > 0 and codebookSize > 1, got " + textSize + " and "
                    + codebookSize);
        }
    }

    public static FusionVocabulary of(Tokenizer text, int codebookSize) {
        return new FusionVocabulary(text.vocabSize(), codebookSize);
    }

    /** Input and target rows for next-token training: {@code targets[i][t] = sequence[i][t + 1]}, {@code <pad>} after. */
    public record Rows(long[][] inputs, long[][] targets) {}

    public int imageStart() {
        return textSize + codebookSize;
    }

    public int imageEnd() {
        return textSize + codebookSize + 1;
    }

    public int pad() {
        return textSize + codebookSize + 2;
    }

    /** Size of the model's token embedding and output layer. */
    public int size() {
        return textSize + codebookSize + 3;
    }

    public long codeToken(int code) {
        if (code < 0 || code >= codebookSize) {
            throw new IllegalArgumentException("code " + code + " outside the codebook [0, " + codebookSize + ")");
        }
        return textSize + code;
    }

    public boolean isCode(long id) {
        return id >= textSize && id < textSize + codebookSize;
    }

    public boolean isText(long id) {
        return id >= 0 && id < textSize;
    }

    /** {@code [sot] + ids + [eot]}, at most {@code maxTokens} long (a longer caption is cut and ends with eot). */
    public static long[] caption(Tokenizer tokenizer, String text, int maxTokens) {
        long[] row = tokenizer.tokenize(List.of(text), maxTokens)[0]; // [sot] ids [eot], then padding
        for (int i = 1; i < row.length; i++) {
            if (row[i] == tokenizer.eotId()) {
                return Arrays.copyOf(row, i + 1);
            }
        }
        return row;
    }

    /** {@code text <image> codes </image>}: the caption, then the image it describes. */
    public long[] captionToImage(long[] text, int[] codes) {
        return concat(checkText(text), image(codes));
    }

    /** {@code <image> codes </image> text}: the image, then its caption. */
    public long[] imageToCaption(int[] codes, long[] text) {
        return concat(image(codes), checkText(text));
    }

    /** Sequences joined in order (retrieved documents before the sequence they support, a prompt before its task). */
    public static long[] join(long[]... parts) {
        long[] out = new long[0];
        for (long[] p : parts) {
            out = concat(out, p);
        }
        return out;
    }

    /** {@code <image> codes </image>}. */
    public long[] image(int[] codes) {
        long[] out = new long[codes.length + 2];
        out[0] = imageStart();
        for (int i = 0; i < codes.length; i++) {
            out[i + 1] = codeToken(codes[i]);
        }
        out[codes.length + 1] = imageEnd();
        return out;
    }

    /** Rows of {@code length} for next-token training; a longer sequence is an error (it would lose its end). */
    public Rows rows(List<long[]> sequences, int length) {
        return rows(sequences, length, null);
    }

    /**
     * As {@link #rows(List, int)}, with the loss on each sequence's tokens from {@code lossFrom[i]} on only (earlier
     * targets are {@code <pad>}): a prompt or retrieved documents condition the rest but are not predicted. Null or
     * 1: every token after the first.
     */
    public Rows rows(List<long[]> sequences, int length, int[] lossFrom) {
        Rows r = unmaskedRows(sequences, length);
        for (int i = 0; lossFrom != null && i < lossFrom.length; i++) {
            Arrays.fill(r.targets()[i], 0, Math.max(0, Math.min(length, lossFrom[i] - 1)), pad());
        }
        return r;
    }

    private Rows unmaskedRows(List<long[]> sequences, int length) {
        long[][] in = new long[sequences.size()][length];
        long[][] tg = new long[sequences.size()][length];
        for (int r = 0; r < in.length; r++) {
            long[] s = sequences.get(r);
            if (s.length < 2 || s.length > length + 1) {
                throw new IllegalArgumentException("sequence " + r + " has " + s.length + " tokens; rows of " + length
                        + " take 2.." + (length + 1));
            }
            Arrays.fill(in[r], pad());
            Arrays.fill(tg[r], pad());
            System.arraycopy(s, 0, in[r], 0, s.length - 1);
            System.arraycopy(s, 1, tg[r], 0, s.length - 1);
        }
        return new Rows(in, tg);
    }

    /**
     * The codes of the first complete image in a (generated) sequence: the {@code cells} tokens after the first
     * {@code <image>}, which must all be codes and be followed by {@code </image>} or the end of the sequence.
     *
     * @throws IllegalArgumentException naming the position of what breaks the grid
     */
    public int[] firstImage(long[] sequence, int cells) {
        int start = -1;
        for (int i = 0; i < sequence.length; i++) {
            if (sequence[i] == imageStart()) {
                start = i + 1;
                break;
            }
        }
        if (start < 0) {
            throw new IllegalArgumentException("no <image> token in the sequence");
        }
        if (sequence.length - start < cells) {
            throw new IllegalArgumentException("the image at " + start + " has " + (sequence.length - start)
                    + " tokens, a grid needs " + cells);
        }
        int[] codes = new int[cells];
        for (int i = 0; i < cells; i++) {
            long id = sequence[start + i];
            if (!isCode(id)) {
                throw new IllegalArgumentException("token " + (start + i) + " (" + id + ") inside the image is not a code");
            }
            codes[i] = (int) (id - textSize);
        }
        int after = start + cells;
        if (after < sequence.length && sequence[after] != imageEnd()) {
            throw new IllegalArgumentException("token " + after + " (" + sequence[after] + ") should close the image");
        }
        return codes;
    }

    /** The text ids of a sequence, in order (codes, specials and padding left out), e.g. to decode a caption. */
    public int[] textIds(long[] sequence) {
        List<Integer> out = new ArrayList<>();
        for (long id : sequence) {
            if (isText(id)) {
                out.add((int) id);
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    private long[] checkText(long[] text) {
        for (int i = 0; i < text.length; i++) {
            if (!isText(text[i])) {
                throw new IllegalArgumentException("text token " + i + " (" + text[i] + ") is outside the text vocabulary [0, "
                        + textSize + ")");
            }
        }
        return text;
    }

    private static long[] concat(long[] a, long[] b) {
        long[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
