package org.vlm4j.nn;

/**
 * Resizes a learned 2-D positional embedding to another grid, as OpenCLIP's resize_pos_embed does:
 * PyTorch's bicubic interpolation (a = -0.75, align_corners = False, no antialias, edge-clamped), leaving
 * any prefix tokens (the class token) untouched.
 */
public final class PosEmbed {
    private PosEmbed() {}

    /**
     * @param table  [prefix + fromH * fromW, dim] row-major
     * @return [prefix + toH * toW, dim]
     */
    public static float[] resize(float[] table, int dim, int prefix, int fromH, int fromW, int toH, int toW) {
        if (table.length != (long) (prefix + fromH * fromW) * dim) {
            throw new IllegalArgumentException("positional embedding has " + table.length / Math.max(dim, 1)
                    + " rows, expected " + (prefix + fromH * fromW) + " for a " + fromH + "x" + fromW + " grid");
        }
        float[] out = new float[(prefix + toH * toW) * dim];
        System.arraycopy(table, 0, out, 0, prefix * dim);
        double[] column = new double[fromH * toW * dim]; // after the horizontal pass: [fromH, toW, dim]
        for (int y = 0; y < fromH; y++) {
            for (int x = 0; x < toW; x++) {
                double src = (x + 0.5) * fromW / (double) toW - 0.5;
                int i0 = (int) Math.floor(src);
                double[] w = cubicWeights(src - i0);
                for (int k = 0; k < 4; k++) {
                    int xi = clamp(i0 - 1 + k, fromW);
                    int base = (prefix + y * fromW + xi) * dim;
                    for (int d = 0; d < dim; d++) {
                        column[(y * toW + x) * dim + d] += w[k] * table[base + d];
                    }
                }
            }
        }
        for (int y = 0; y < toH; y++) {
            double src = (y + 0.5) * fromH / (double) toH - 0.5;
            int i0 = (int) Math.floor(src);
            double[] w = cubicWeights(src - i0);
            for (int x = 0; x < toW; x++) {
                int o = (prefix + y * toW + x) * dim;
                for (int k = 0; k < 4; k++) {
                    int yi = clamp(i0 - 1 + k, fromH);
                    for (int d = 0; d < dim; d++) {
                        out[o + d] += (float) (w[k] * column[(yi * toW + x) * dim + d]);
                    }
                }
            }
        }
        return out;
    }

    private static int clamp(int i, int n) {
        return Math.max(0, Math.min(n - 1, i));
    }

    /** Keys' cubic convolution weights for offsets -1, 0, 1, 2 at fraction t, with a = -0.75 (PyTorch). */
    static double[] cubicWeights(double t) {
        double a = -0.75;
        return new double[] {
            cubicFar(t + 1, a), cubicNear(t, a), cubicNear(1 - t, a), cubicFar(2 - t, a)
        };
    }

    private static double cubicNear(double x, double a) {
        return ((a + 2) * x - (a + 3)) * x * x + 1;
    }

    private static double cubicFar(double x, double a) {
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
    }
}
