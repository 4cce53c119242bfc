package org.vlm4j.image;

import java.util.Objects;

/**
 * A decoded picture in Pillow's terms: an image mode, its size and 8-bit interleaved samples, row-major, no padding.
 *
 * <p>The mode is kept as Pillow would report it after {@code PIL.Image.open}, because the OpenCLIP transform
 * behaves differently per mode (palette images are resized with NEAREST, RGBA in premultiplied alpha).
 * {@link Mode#P} images hold one palette index per pixel and a 256-entry RGBA palette; {@link Mode#ONE} (Pillow's
 * {@code "1"}) holds 0 or 255 per pixel, as Pillow stores it.
 *
 * <p>Instances are treated as immutable: nothing in this package writes into {@link #pixels()} or
 * {@link #palette()} of an image it did not create, so sharing one between threads is safe as long as callers do
 * not mutate the arrays either. Equality of the arrays is by identity (record semantics).
 *
 * @param source  the file (or name) it came from, for messages
 * @param format  the container format, e.g. {@code "PNG"}, {@code "JPEG"} ({@code "RAW"} for derived images)
 * @param mode    the Pillow mode
 * @param width   width in pixels, &gt; 0
 * @param height  height in pixels, &gt; 0
 * @param pixels  {@code width * height * mode.bands()} samples
 * @param palette for {@link Mode#P}: 256 RGBA entries (1024 bytes); otherwise null
 */
public record DecodedImage(String source, String format, Mode mode, int width, int height, byte[] pixels,
                           byte[] palette) {

    /** Pillow image modes this package handles; {@link #pilName()} is Pillow's spelling. */
    public enum Mode {
        /** Pillow {@code "1"}: bilevel, stored as 0/255, resized with NEAREST like {@code P}. */
        ONE("1", 1),
        L("L", 1),
        LA("LA", 2),
        P("P", 1),
        RGB("RGB", 3),
        RGBA("RGBA", 4);

        private final String pilName;
        private final int bands;

        Mode(String pilName, int bands) {
            this.pilName = pilName;
            this.bands = bands;
        }

        public String pilName() {
            return pilName;
        }

        /** Interleaved samples per pixel in {@link DecodedImage#pixels()}. */
        public int bands() {
            return bands;
        }
    }

    public static final int PALETTE_BYTES = 256 * 4;

    public DecodedImage {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(pixels, "pixels");
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException(source + ": image size must be positive, got " + width + "x" + height);
        }
        long need = (long) width * height * mode.bands();
        if (pixels.length != need) {
            throw new IllegalArgumentException(source + ": " + mode.pilName() + " " + width + "x" + height
                    + " needs " + need + " samples, got " + pixels.length);
        }
        if (mode == Mode.P) {
            if (palette == null || palette.length != PALETTE_BYTES) {
                throw new IllegalArgumentException(source + ": P image needs a 256-entry RGBA palette ("
                        + PALETTE_BYTES + " bytes)");
            }
        } else if (palette != null) {
            throw new IllegalArgumentException(source + ": only P images carry a palette, not " + mode.pilName());
        }
    }

    /** Samples per pixel. */
    public int bands() {
        return mode.bands();
    }

    public long pixelCount() {
        return (long) width * height;
    }

    /**
     * Pillow's {@code convert("RGB")}: L and 1 are replicated, LA and RGBA drop alpha (no compositing), P is looked
     * up in the palette (its alpha ignored). Returns {@code this} for RGB images.
     */
    public DecodedImage toRgb() {
        if (mode == Mode.RGB) {
            return this;
        }
        int n = width * height;
        byte[] out = new byte[n * 3];
        int nb = mode.bands();
        switch (mode) {
            case ONE, L, LA -> {
                for (int i = 0, s = 0, o = 0; i < n; i++, s += nb, o += 3) {
                    byte v = pixels[s];
                    out[o] = v;
                    out[o + 1] = v;
                    out[o + 2] = v;
                }
            }
            case RGBA -> {
                for (int i = 0, s = 0, o = 0; i < n; i++, s += 4, o += 3) {
                    out[o] = pixels[s];
                    out[o + 1] = pixels[s + 1];
                    out[o + 2] = pixels[s + 2];
                }
            }
            case P -> {
                for (int i = 0, o = 0; i < n; i++, o += 3) {
                    int e = (pixels[i] & 0xff) * 4;
                    out[o] = palette[e];
                    out[o + 1] = palette[e + 1];
                    out[o + 2] = palette[e + 2];
                }
            }
            default -> throw new IllegalStateException("unhandled mode " + mode);
        }
        return new DecodedImage(source, format, Mode.RGB, width, height, out, null);
    }

    /**
     * The sub-image {@code [x, x+w) x [y, y+h)}, which must lie inside the image (Pillow would pad outside; the
     * transforms here never crop outside). Keeps mode and palette.
     */
    public DecodedImage crop(int x, int y, int w, int h) {
        if (x < 0 || y < 0 || w <= 0 || h <= 0 || x + w > width || y + h > height) {
            throw new IllegalArgumentException(source + ": crop (" + x + "," + y + ") " + w + "x" + h
                    + " is outside the " + width + "x" + height + " image");
        }
        if (x == 0 && y == 0 && w == width && h == height) {
            return this;
        }
        int nb = mode.bands();
        byte[] out = new byte[w * h * nb];
        for (int r = 0; r < h; r++) {
            System.arraycopy(pixels, ((y + r) * width + x) * nb, out, r * w * nb, w * nb);
        }
        return new DecodedImage(source, format, mode, w, h, out, palette);
    }

    /** One sample, for tests and debugging: band {@code b} of pixel (x, y). */
    public int sample(int x, int y, int b) {
        return pixels[(y * width + x) * mode.bands() + b] & 0xff;
    }

    @Override
    public String toString() {
        return "DecodedImage[" + source + ", " + format + " " + mode.pilName() + " " + width + "x" + height + "]";
    }
}
