package org.vlm4j.text;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * A text tokenizer of a vision-language model: text to token ids and back.
 *
 * <p>Implementations are immutable and thread-safe. I/O failures are reported as
 * {@link java.io.UncheckedIOException}, bad arguments or files as {@link IllegalArgumentException}.
 */
public interface Tokenizer {

    /** Token ids of the cleaned text, without start/end-of-text ids and without truncation. */
    int[] encode(String text);

    /**
     * One row per text: {@code [sot] + encode(text) + [eot]}, filled up to {@code contextLength} with {@link #padId()}.
     * A longer row is cut to {@code contextLength} and its last id is set to {@link #eotId()} (OpenCLIP's behaviour).
     *
     * @throws IllegalArgumentException if {@code contextLength < 1}
     */
    default long[][] tokenize(List<String> texts, int contextLength) {
        if (contextLength < 1) {
            throw new IllegalArgumentException("contextLength must be >= 1, got " + contextLength);
        }
        int sot = sotId();
        int eot = eotId();
        int pad = padId();
        long[][] rows = new long[texts.size()][contextLength];
        for (int r = 0; r < rows.length; r++) {
            int[] ids = encode(texts.get(r));
            long[] row = rows[r];
            if (pad != 0) {
                Arrays.fill(row, pad);
            }
            int n = Math.min(ids.length + 2, contextLength);
            row[0] = sot;
            for (int i = 1; i < n && i - 1 < ids.length; i++) {
                row[i] = ids[i - 1];
            }
            row[n - 1] = eot; // either the regular end, or the forced end of a truncated row
        }
        return rows;
    }

    /** Text of the ids (see the implementation for how special and padding ids are treated). */
    String decode(int[] ids);

    /** Number of ids (the size of the model's token embedding). */
    int vocabSize();

    /** Start-of-text id. */
    int sotId();

    /** End-of-text id. */
    int eotId();

    /** Id that fills a row after the end-of-text id. */
    int padId();

    /**
     * Writes the files needed to load this tokenizer again into {@code dir} (created if missing). Each file is
     * written under a temporary name and then renamed, so a reader never sees a partial file.
     */
    void save(Path dir);
}
