package org.vlm4j.image;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;

/** Conversions between float pixel planes and 8-bit pictures. */
public final class RgbImages {
    private RgbImages() {}

    /**
     * RGB values in [0, 1], CHW, -> a {@link BufferedImage#TYPE_3BYTE_BGR} picture (values clamped, rounded to the
     * nearest of 256 levels).
     */
    public static BufferedImage fromUnitChw(float[] chw, int height, int width) {
        int plane = height * width;
        if (chw.length != 3 * plane) {
            throw new IllegalArgumentException("expected 3x" + height + "x" + width + " = " + 3 * plane
                    + " values, got " + chw.length);
        }
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        byte[] bgr = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < plane; i++) {
            bgr[3 * i] = level(chw[2 * plane + i]);
            bgr[3 * i + 1] = level(chw[plane + i]);
            bgr[3 * i + 2] = level(chw[i]);
        }
        return img;
    }

    private static byte level(float v) {
        return (byte) Math.round(Math.max(0f, Math.min(1f, v)) * 255f);
    }
}
