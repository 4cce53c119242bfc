package org.vlm4j.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * Which image–text pairs of a contrastive batch match. By default only the diagonal; {@link #sameText} also marks
 * every candidate whose text equals the row's own caption (duplicate captions, frequent in synthetic or templated
 * data, would otherwise be pushed apart as negatives).
 */
public final class Positives {
    private Positives() {}

    /**
     * {@code [rows.size()][columns.size()]}: true where column j's text equals row i's caption, or null when that is
     * only the diagonal (so callers take the plain, bit-identical path). Row i's own caption must be column i.
     */
    public static boolean[][] sameText(List<String> rows, List<String> columns) {
        boolean[][] p = new boolean[rows.size()][columns.size()];
        boolean extra = false;
        for (int i = 0; i < rows.size(); i++) {
            for (int j = 0; j < columns.size(); j++) {
                p[i][j] = i == j || rows.get(i).equals(columns.get(j));
                extra |= p[i][j] && i != j;
            }
        }
        return extra ? p : null;
    }

    /** The mask as a float [n, k] array of 0/1 (the first k columns). */
    static NDArray mask(boolean[][] positives, int n, int k, NDManager m) {
        float[] out = new float[n * k];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < k; j++) {
                out[i * k + j] = positives[i][j] ? 1f : 0f;
            }
        }
        return m.create(out, new Shape(n, k));
    }

    /**
     * Soft targets [n, k]: each row uniform over its positives among the first k columns; {@code transpose} reads
     * column i of the square part as row i (the text-to-image direction).
     */
    static NDArray targets(boolean[][] positives, int n, int k, boolean transpose, NDManager m) {
        float[] out = new float[n * k];
        for (int i = 0; i < n; i++) {
            int count = 0;
            for (int j = 0; j < k; j++) {
                count += (transpose ? positives[j][i] : positives[i][j]) ? 1 : 0;
            }
            if (count == 0) {
                throw new IllegalArgumentException("row " + i + " has no positive");
            }
            for (int j = 0; j < k; j++) {
                out[i * k + j] = (transpose ? positives[j][i] : positives[i][j]) ? 1f / count : 0f;
            }
        }
        return m.create(out, new Shape(n, k));
    }
}
