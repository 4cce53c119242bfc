package org.vlm4j.eval;

import org.vlm4j.data.Shapes;

/**
 * The colour a picture shows, measured by code: each foreground pixel (brightest channel above {@link #FOREGROUND};
 * Shapes' backgrounds are grey at most 64/255) near one of Shapes' base colours ({@link Shapes#COLORS}, within
 * {@link #NEAR}) votes for it; the most voted colour wins. Used to check that generated images have the colour their caption asks for.
 */
public final class DominantColor {
    /** Brightest channel above which a pixel counts as foreground (Shapes' grey backgrounds stay below 0.25). */
    public static final float FOREGROUND = 0.35f;

    /**
     * How near (Euclidean, 0..255 RGB) a pixel must be to a base colour to vote: drawn shapes are within 16 per
     * channel of theirs (plus anti-aliased edges); grey or muddy noise, near no colour, does not vote.
     */
    public static final double NEAR = 90;

    private DominantColor() {}

    /**
     * The Shapes colour most foreground pixels of an RGB image in [0, 1] (CHW [3 * h * w]) are nearest to; null when
     * no pixel is foreground.
     */
    public static String of(float[] chw, int height, int width, int colors) {
        int plane = height * width;
        int[] votes = new int[colors];
        int count = 0;
        for (int i = 0; i < plane; i++) {
            float pr = chw[i];
            float pg = chw[plane + i];
            float pb = chw[2 * plane + i];
            if (Math.max(pr, Math.max(pg, pb)) > FOREGROUND) {
                int c = nearestIndex(pr * 255.0, pg * 255.0, pb * 255.0, colors);
                if (distance(pr * 255.0, pg * 255.0, pb * 255.0, c) < NEAR * NEAR) {
                    votes[c]++;
                    count++;
                }
            }
        }
        if (count == 0) {
            return null;
        }
        int best = 0;
        for (int c = 1; c < colors; c++) {
            best = votes[c] > votes[best] ? c : best;
        }
        return Shapes.COLORS.get(best);
    }

    /** The nearest of the first {@code colors} Shapes colours to an RGB (0..255) value, by Euclidean distance. */
    public static String nearest(double r, double g, double b, int colors) {
        return Shapes.COLORS.get(nearestIndex(r, g, b, colors));
    }

    private static int nearestIndex(double r, double g, double b, int colors) {
        int best = 0;
        double bestD = Double.MAX_VALUE;
        for (int c = 0; c < colors; c++) {
            double d = distance(r, g, b, c);
            if (d < bestD) {
                bestD = d;
                best = c;
            }
        }
        return best;
    }

    private static double distance(double r, double g, double b, int c) {
        int[] k = Shapes.rgb(c);
        return (r - k[0]) * (r - k[0]) + (g - k[1]) * (g - k[1]) + (b - k[2]) * (b - k[2]);
    }

    /** Share of images whose dominant colour is {@code expected}. */
    public static double accuracy(float[][] images, int size, String expected, int colors) {
        int hit = 0;
        for (float[] img : images) {
            hit += expected.equals(of(img, size, size, colors)) ? 1 : 0;
        }
        return images.length == 0 ? Double.NaN : (double) hit / images.length;
    }
}
