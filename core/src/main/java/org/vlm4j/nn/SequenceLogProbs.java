package org.vlm4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * The log-likelihood a {@link TextDecoder} gives a span of each of several token sequences, teacher-forced in one
 * forward pass: {@code sum over t in [from, to) of log p(seq[t] | seq[0..t-1])}. The one computation behind the
 * generative classifiers (log p(image codes | text) of the early-fusion model, log p(text | image) of it and of
 * CoCa). Rows may differ in length: they are padded at the end with {@code fill}, which a causal decoder never lets
 * an earlier position see, and only the span is summed.
 */
public final class SequenceLogProbs {
    private SequenceLogProbs() {}

    /**
     * @param context [rows, Lc, Dc] for a cross-attending decoder (one context row per sequence), else null
     * @param rows    the sequences, each at most the decoder's context length + 1 tokens
     * @param from    per row, the first position scored (at least 1: position 0 has nothing to condition on)
     * @param to      per row, one past the last position scored
     * @param fill    the id padding shorter rows (any valid id; never scored)
     */
    public static double[] sum(TextDecoder decoder, NDArray context, long[][] rows, int[] from, int[] to, long fill,
                               NDManager m) {
        int n = rows.length;
        if (n == 0 || from.length != n || to.length != n) {
            throw new IllegalArgumentException("need one span per row, got " + n + " rows, " + from.length + " and "
                    + to.length + " span ends");
        }
        int len = 0;
        for (int i = 0; i < n; i++) {
            if (from[i] < 1 || to[i] <= from[i] || to[i] > rows[i].length) {
                throw new IllegalArgumentException("row " + i + " of " + rows[i].length + " tokens: span [" + from[i]
                        + ", " + to[i] + ") must lie in [1, " + rows[i].length + "] and be non-empty");
            }
            len = Math.max(len, rows[i].length);
        }
        int l = len - 1; // inputs 0..len-2 predict targets 1..len-1
        long[] in = new long[n * l];
        long[] tg = new long[n * l];
        float[] keep = new float[n * l];
        for (int i = 0; i < n; i++) {
            for (int t = 0; t < l; t++) {
                in[i * l + t] = t < rows[i].length ? rows[i][t] : fill;
                tg[i * l + t] = t + 1 < rows[i].length ? rows[i][t + 1] : fill;
                keep[i * l + t] = t + 1 >= from[i] && t + 1 < to[i] ? 1f : 0f;
            }
        }
        NDArray logits = decoder.logits(m.create(in, new Shape(n, l)), context, null);
        NDArray picked = logits.logSoftmax(-1).gather(m.create(tg, new Shape(n, l, 1)), -1).squeeze(-1);
        float[] sums = picked.mul(m.create(keep, new Shape(n, l))).sum(new int[] {1}).toFloatArray();
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = sums[i];
        }
        return out;
    }
}
