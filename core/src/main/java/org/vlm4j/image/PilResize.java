package org.vlm4j.image;

/**
 * Pillow-exact resizing of 8-bit images (Pillow 9.4 {@code Image.resize} with the default box = the whole image).
 *
 * <p>{@link #resample} is {@code ImagingResample} for 8-bit bands: a separable convolution, horizontal pass first,
 * then vertical, each pass skipped when its size does not change. Per output position the kernel is centred at
 * {@code (i + 0.5) * scale}, its support is {@code filter.support * max(scale, 1)} (antialiasing when downscaling),
 * taps run over {@code [(int)(center - support + 0.5), (int)(center + support + 0.5))} clamped to the image, the
 * weights {@code f((x - center + 0.5) / max(scale, 1))} are normalised to sum 1 (in double) and then converted to
 * fixed point with 22 fractional bits ({@code PRECISION_BITS = 32 - 8 - 2}, rounding half away from zero). Each
 * pass accumulates in a 32-bit int starting at {@code 1 << 21}, shifts right by 22 and clamps to 0..255, so the
 * intermediate image is uint8. Bicubic uses a = -0.5.
 *
 * <p>{@link #nearest} is Pillow's NEAREST path ({@code ImagingScaleAffine}): source coordinate
 * {@code (int)(0.5 * s + i * s)} with {@code s = in / out}, accumulated incrementally in double as Pillow does.
 *
 * <p>{@link #resize(DecodedImage, int, int, Filter)} adds the mode rules of Pillow's {@code Image.resize}: {@code P}
 * and {@code "1"} images always use NEAREST; {@code RGBA}/{@code LA} are converted to premultiplied
 * {@code RGBa}/{@code La} ({@code v * a / 255} rounded as {@code MULDIV255}), resized, and converted back
 * ({@code 255 * v / a} truncated and clamped; alpha 0 and 255 pass through); same size returns the image itself.
 *
 * <p>All methods may compute only a window of the output ({@code [wx, wx+ww) x [wy, wy+wh)}); each output pixel is
 * computed exactly as in the full resize, so resize-then-crop equals the windowed call bit for bit.
 *
 * <p>Stateless and thread-safe.
 */
public final class PilResize {
    private PilResize() {}

    /** Pillow's resampling filters (the names of {@code PIL.Image.Resampling}). */
    public enum Filter {
        NEAREST(0.0), BOX(0.5), BILINEAR(1.0), HAMMING(1.0), BICUBIC(2.0), LANCZOS(3.0);

        final double support;

        Filter(double support) {
            this.support = support;
        }

        /** Parses {@code "bicubic"}, {@code "BILINEAR"}, ... */
        public static Filter parse(String name) {
            for (Filter f : values()) {
                if (f.name().equalsIgnoreCase(name.strip())) {
                    return f;
                }
            }
            throw new IllegalArgumentException("unknown interpolation '" + name
                    + "' (nearest, box, bilinear, hamming, bicubic, lanczos)");
        }

        double eval(double x) {
            switch (this) {
                case BOX:
                    return (x > -0.5 && x <= 0.5) ? 1.0 : 0.0;
                case BILINEAR:
                    x = Math.abs(x);
                    return x < 1.0 ? 1.0 - x : 0.0;
                case HAMMING:
                    x = Math.abs(x);
                    if (x == 0.0) {
                        return 1.0;
                    }
                    if (x >= 1.0) {
                        return 0.0;
                    }
                    x = x * Math.PI;
                    return Math.sin(x) / x * (0.54f + 0.46f * Math.cos(x));
                case BICUBIC: {
                    final double a = -0.5;
                    x = Math.abs(x);
                    if (x < 1.0) {
                        return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
                    }
                    if (x < 2.0) {
                        return (((x - 5) * x + 8) * x - 4) * a;
                    }
                    return 0.0;
                }
                case LANCZOS:
                    return (-3.0 <= x && x < 3.0) ? sinc(x) * sinc(x / 3) : 0.0;
                default:
                    throw new IllegalStateException("no kernel for " + this);
            }
        }

        private static double sinc(double x) {
            if (x == 0.0) {
                return 1.0;
            }
            x = x * Math.PI;
            return Math.sin(x) / x;
        }
    }

    static final int PRECISION_BITS = 32 - 8 - 2;

    /** Fixed-point kernel table for one axis: per output position, first tap, tap count and ksize weights. */
    static final class Coeffs {
        final int ksize;
        final int[] bounds; // [2 * out]: xmin, count
        final int[] k;      // [out * ksize]

        Coeffs(int ksize, int[] bounds, int[] k) {
            this.ksize = ksize;
            this.bounds = bounds;
            this.k = k;
        }
    }

    /** {@code precompute_coeffs} + {@code normalize_coeffs_8bpc} for the box {@code [0, inSize)}. */
    static Coeffs coeffs(int inSize, int outSize, Filter filter) {
        float in0 = 0f;
        float in1 = inSize;
        double scale = (double) (in1 - in0) / outSize;
        double filterscale = scale < 1.0 ? 1.0 : scale;
        double support = filter.support * filterscale;
        int ksize = (int) Math.ceil(support) * 2 + 1;
        int[] bounds = new int[outSize * 2];
        int[] kk = new int[outSize * ksize];
        double[] w = new double[ksize];
        for (int xx = 0; xx < outSize; xx++) {
            double center = in0 + (xx + 0.5) * scale;
            double ww = 0.0;
            double ss = 1.0 / filterscale;
            int xmin = (int) (center - support + 0.5);
            if (xmin < 0) {
                xmin = 0;
            }
            int xmax = (int) (center + support + 0.5);
            if (xmax > inSize) {
                xmax = inSize;
            }
            xmax -= xmin;
            for (int x = 0; x < xmax; x++) {
                double v = filter.eval((x + xmin - center + 0.5) * ss);
                w[x] = v;
                ww += v;
            }
            for (int x = 0; x < xmax; x++) {
                if (ww != 0.0) {
                    w[x] /= ww;
                }
            }
            for (int x = 0; x < ksize; x++) {
                double v = x < xmax ? w[x] : 0.0;
                kk[xx * ksize + x] = v < 0 ? (int) (-0.5 + v * (1 << PRECISION_BITS))
                                           : (int) (0.5 + v * (1 << PRECISION_BITS));
            }
            bounds[xx * 2] = xmin;
            bounds[xx * 2 + 1] = xmax;
        }
        return new Coeffs(ksize, bounds, kk);
    }

    private static int clip8(int ss) {
        int v = ss >> PRECISION_BITS;
        return v < 0 ? 0 : v > 255 ? 255 : v;
    }

    /**
     * Raw {@code ImagingResample}: resizes interleaved uint8 {@code src} ({@code w x h x channels}) to
     * {@code outW x outH} with a convolution filter (no premultiplication, no mode rules; NEAREST delegates to
     * {@link #nearest}).
     */
    public static byte[] resample(byte[] src, int w, int h, int channels, int outW, int outH, Filter filter) {
        return resample(src, w, h, channels, outW, outH, filter, 0, 0, outW, outH);
    }

    /**
     * As {@link #resample(byte[], int, int, int, int, int, Filter)}, computing only the output window
     * {@code [wx, wx+ww) x [wy, wy+wh)} (returned as a {@code ww x wh} image).
     */
    public static byte[] resample(byte[] src, int w, int h, int channels, int outW, int outH, Filter filter,
                                  int wx, int wy, int ww, int wh) {
        checkArgs(src, w, h, channels, outW, outH, wx, wy, ww, wh);
        if (filter == Filter.NEAREST) {
            return nearest(src, w, h, channels, outW, outH, wx, wy, ww, wh);
        }
        boolean needH = outW != w;
        boolean needV = outH != h;
        Coeffs cv = needV ? coeffs(h, outH, filter) : null;

        // Rows of the source the vertical pass (for output rows wy..wy+wh) will read.
        int rowFirst;
        int rowLast;
        if (needV) {
            rowFirst = Integer.MAX_VALUE;
            rowLast = 0;
            for (int yy = wy; yy < wy + wh; yy++) {
                rowFirst = Math.min(rowFirst, cv.bounds[yy * 2]);
                rowLast = Math.max(rowLast, cv.bounds[yy * 2] + cv.bounds[yy * 2 + 1]);
            }
        } else {
            rowFirst = wy;
            rowLast = wy + wh;
        }

        // Horizontal pass: columns wx..wx+ww of the resized width, rows rowFirst..rowLast.
        byte[] tmp;
        int tmpW = ww;
        int tmpRows = rowLast - rowFirst;
        if (needH) {
            Coeffs ch = coeffs(w, outW, filter);
            tmp = new byte[tmpW * tmpRows * channels];
            horizontal(src, w, channels, ch, wx, ww, rowFirst, tmpRows, tmp);
        } else {
            tmp = new byte[tmpW * tmpRows * channels];
            for (int r = 0; r < tmpRows; r++) {
                System.arraycopy(src, ((rowFirst + r) * w + wx) * channels, tmp, r * tmpW * channels,
                        tmpW * channels);
            }
        }
        if (!needV) {
            return tmp; // rowFirst..rowLast == wy..wy+wh
        }
        byte[] out = new byte[ww * wh * channels];
        vertical(tmp, tmpW, channels, cv, rowFirst, wy, wh, out);
        return out;
    }

    private static void horizontal(byte[] src, int w, int c, Coeffs co, int wx, int ww, int row0, int rows,
                                   byte[] out) {
        final int half = 1 << (PRECISION_BITS - 1);
        final int ksize = co.ksize;
        final int[] kk = co.k;
        final int[] bounds = co.bounds;
        int o = 0;
        for (int y = 0; y < rows; y++) {
            int rowBase = (row0 + y) * w * c;
            for (int xx = wx; xx < wx + ww; xx++) {
                int xmin = bounds[xx * 2];
                int xcount = bounds[xx * 2 + 1];
                int kb = xx * ksize;
                int p0 = rowBase + xmin * c;
                if (c == 3) {
                    int s0 = half;
                    int s1 = half;
                    int s2 = half;
                    for (int x = 0, p = p0; x < xcount; x++, p += 3) {
                        int k = kk[kb + x];
                        s0 += (src[p] & 0xff) * k;
                        s1 += (src[p + 1] & 0xff) * k;
                        s2 += (src[p + 2] & 0xff) * k;
                    }
                    out[o++] = (byte) clip8(s0);
                    out[o++] = (byte) clip8(s1);
                    out[o++] = (byte) clip8(s2);
                } else if (c == 4) {
                    int s0 = half;
                    int s1 = half;
                    int s2 = half;
                    int s3 = half;
                    for (int x = 0, p = p0; x < xcount; x++, p += 4) {
                        int k = kk[kb + x];
                        s0 += (src[p] & 0xff) * k;
                        s1 += (src[p + 1] & 0xff) * k;
                        s2 += (src[p + 2] & 0xff) * k;
                        s3 += (src[p + 3] & 0xff) * k;
                    }
                    out[o++] = (byte) clip8(s0);
                    out[o++] = (byte) clip8(s1);
                    out[o++] = (byte) clip8(s2);
                    out[o++] = (byte) clip8(s3);
                } else {
                    for (int b = 0; b < c; b++) {
                        int s = half;
                        for (int x = 0, p = p0 + b; x < xcount; x++, p += c) {
                            s += (src[p] & 0xff) * kk[kb + x];
                        }
                        out[o++] = (byte) clip8(s);
                    }
                }
            }
        }
    }

    private static void vertical(byte[] tmp, int tw, int c, Coeffs co, int row0, int wy, int wh, byte[] out) {
        final int half = 1 << (PRECISION_BITS - 1);
        final int ksize = co.ksize;
        final int[] kk = co.k;
        final int stride = tw * c;
        int[] acc = new int[stride];
        for (int yy = wy; yy < wy + wh; yy++) {
            int ymin = co.bounds[yy * 2] - row0;
            int ycount = co.bounds[yy * 2 + 1];
            int kb = yy * ksize;
            java.util.Arrays.fill(acc, half);
            for (int y = 0; y < ycount; y++) {
                int k = kk[kb + y];
                int rb = (ymin + y) * stride;
                for (int i = 0; i < stride; i++) {
                    acc[i] += (tmp[rb + i] & 0xff) * k;
                }
            }
            int ob = (yy - wy) * stride;
            for (int i = 0; i < stride; i++) {
                out[ob + i] = (byte) clip8(acc[i]);
            }
        }
    }

    /** Pillow's NEAREST resize ({@code ImagingScaleAffine} with the whole image as box). */
    public static byte[] nearest(byte[] src, int w, int h, int channels, int outW, int outH) {
        return nearest(src, w, h, channels, outW, outH, 0, 0, outW, outH);
    }

    /** NEAREST, computing only the output window {@code [wx, wx+ww) x [wy, wy+wh)}. */
    public static byte[] nearest(byte[] src, int w, int h, int channels, int outW, int outH,
                                 int wx, int wy, int ww, int wh) {
        checkArgs(src, w, h, channels, outW, outH, wx, wy, ww, wh);
        int[] xin = nearestIndex(w, outW);
        int[] yin = nearestIndex(h, outH);
        byte[] out = new byte[ww * wh * channels];
        int o = 0;
        for (int y = wy; y < wy + wh; y++) {
            int rb = yin[y] * w * channels;
            for (int x = wx; x < wx + ww; x++) {
                int p = rb + xin[x] * channels;
                for (int b = 0; b < channels; b++) {
                    out[o++] = src[p + b];
                }
            }
        }
        return out;
    }

    /** Source index per output index; Pillow accumulates {@code xo += a} in double, so do we. */
    private static int[] nearestIndex(int in, int out) {
        double a = (double) ((float) in - 0f) / out;
        double xo = 0.0 + a * 0.5;
        int[] idx = new int[out];
        for (int x = 0; x < out; x++) {
            int v = xo < 0.0 ? -1 : (int) xo;
            // Pillow leaves pixels mapping outside the source black; with the full box that cannot happen.
            idx[x] = Math.min(Math.max(v, 0), in - 1);
            xo += a;
        }
        return idx;
    }

    /**
     * Pillow's {@code Image.resize(size, filter)} for a decoded image (box = whole image): {@code P}/{@code "1"}
     * force NEAREST; {@code RGBA}/{@code LA} are resized premultiplied (unless NEAREST); same size returns
     * {@code img}.
     */
    public static DecodedImage resize(DecodedImage img, int outW, int outH, Filter filter) {
        return resize(img, outW, outH, filter, 0, 0, outW, outH);
    }

    /**
     * {@link #resize(DecodedImage, int, int, Filter)} followed by {@code crop(wx, wy, ww, wh)}, computing only the
     * cropped pixels (bit-identical to resizing in full and cropping).
     */
    public static DecodedImage resize(DecodedImage img, int outW, int outH, Filter filter,
                                      int wx, int wy, int ww, int wh) {
        if (outW <= 0 || outH <= 0) {
            throw new IllegalArgumentException("output size must be positive, got " + outW + "x" + outH);
        }
        if (outW == img.width() && outH == img.height()) {
            return img.crop(wx, wy, ww, wh);
        }
        DecodedImage.Mode mode = img.mode();
        if (mode == DecodedImage.Mode.P || mode == DecodedImage.Mode.ONE) {
            filter = Filter.NEAREST;
        }
        int c = mode.bands();
        byte[] px = img.pixels();
        boolean premul = (mode == DecodedImage.Mode.RGBA || mode == DecodedImage.Mode.LA) && filter != Filter.NEAREST;
        if (premul) {
            px = premultiply(px, c);
        }
        byte[] out = resample(px, img.width(), img.height(), c, outW, outH, filter, wx, wy, ww, wh);
        if (premul) {
            unpremultiplyInPlace(out, c);
        }
        return new DecodedImage(img.source(), img.format(), mode, ww, wh, out, img.palette());
    }

    /** Pillow's RGBA→RGBa / LA→La: {@code MULDIV255(v, a) = ((t >> 8) + t) >> 8, t = v * a + 128}. */
    static byte[] premultiply(byte[] px, int c) {
        byte[] out = new byte[px.length];
        int ai = c - 1;
        for (int p = 0; p < px.length; p += c) {
            int a = px[p + ai] & 0xff;
            for (int b = 0; b < ai; b++) {
                int t = (px[p + b] & 0xff) * a + 128;
                out[p + b] = (byte) (((t >> 8) + t) >> 8);
            }
            out[p + ai] = (byte) a;
        }
        return out;
    }

    /** Pillow's RGBa→RGBA / La→LA: alpha 0 or 255 unchanged, else {@code CLIP8(255 * v / a)} (truncating). */
    static void unpremultiplyInPlace(byte[] px, int c) {
        int ai = c - 1;
        for (int p = 0; p < px.length; p += c) {
            int a = px[p + ai] & 0xff;
            if (a == 0 || a == 255) {
                continue;
            }
            for (int b = 0; b < ai; b++) {
                int v = 255 * (px[p + b] & 0xff) / a;
                px[p + b] = (byte) (v > 255 ? 255 : v);
            }
        }
    }

    private static void checkArgs(byte[] src, int w, int h, int c, int outW, int outH, int wx, int wy, int ww,
                                  int wh) {
        if (w <= 0 || h <= 0 || c <= 0 || outW <= 0 || outH <= 0) {
            throw new IllegalArgumentException("sizes must be positive: " + w + "x" + h + "x" + c + " -> " + outW
                    + "x" + outH);
        }
        if ((long) w * h * c != src.length) {
            throw new IllegalArgumentException("source has " + src.length + " samples, expected " + w + "x" + h
                    + "x" + c);
        }
        if (wx < 0 || wy < 0 || ww <= 0 || wh <= 0 || wx + ww > outW || wy + wh > outH) {
            throw new IllegalArgumentException("window (" + wx + "," + wy + ") " + ww + "x" + wh
                    + " is outside the " + outW + "x" + outH + " output");
        }
    }
}
