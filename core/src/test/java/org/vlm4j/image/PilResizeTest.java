package org.vlm4j.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.io.IOException;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.vlm4j.image.PilResize.Filter;

class PilResizeTest {
    @Test
    void bicubicMatchesPillowOnTheSyntheticNoiseImage() throws IOException {
        // 301x203 -> 332x224 (upscale in both axes), then crop (54, 0); fixture = Pillow 9.4 output.
        ImageFixtures.Case c = ImageFixtures.byName("synthetic_noise_301x203");
        DecodedImage img = ImageDecoder.defaults().decode(c.file());
        byte[] full = PilResize.resample(img.pixels(), 301, 203, 3, 332, 224, Filter.BICUBIC);
        DecodedImage resized = new DecodedImage("t", "RAW", DecodedImage.Mode.RGB, 332, 224, full, null);
        assertArrayEquals(ImageFixtures.tensor(c.name() + "/resized_cropped_u8").toBytes(),
                resized.crop(54, 0, 224, 224).pixels());
    }

    @Test
    void windowedResizeEqualsResizeThenCrop() {
        Random rnd = new Random(7);
        int[][] sizes = {{37, 23, 80, 51}, {120, 90, 31, 17}, {50, 50, 50, 20}, {64, 40, 20, 40}, {9, 300, 200, 7}};
        for (int[] s : sizes) {
            for (int channels : new int[] {1, 2, 3, 4}) {
                byte[] src = new byte[s[0] * s[1] * channels];
                rnd.nextBytes(src);
                for (Filter f : Filter.values()) {
                    byte[] full = PilResize.resample(src, s[0], s[1], channels, s[2], s[3], f);
                    int wx = s[2] / 3;
                    int wy = s[3] / 4;
                    int ww = s[2] - wx - s[2] / 5;
                    int wh = s[3] - wy - 1;
                    byte[] win = PilResize.resample(src, s[0], s[1], channels, s[2], s[3], f, wx, wy, ww, wh);
                    byte[] expect = new byte[ww * wh * channels];
                    for (int r = 0; r < wh; r++) {
                        System.arraycopy(full, ((wy + r) * s[2] + wx) * channels, expect, r * ww * channels,
                                ww * channels);
                    }
                    assertArrayEquals(expect, win, f + " " + java.util.Arrays.toString(s) + " c=" + channels);
                }
            }
        }
    }

    @Test
    void constantImageStaysConstant() {
        byte[] src = new byte[40 * 30 * 3];
        java.util.Arrays.fill(src, (byte) 200);
        for (Filter f : Filter.values()) {
            for (byte v : PilResize.resample(src, 40, 30, 3, 13, 71, f)) {
                assertEquals(200, v & 0xff, f.toString());
            }
        }
    }

    @Test
    void bilinearHalvingAveragesPairs() {
        // 4 -> 2 bilinear: support 2, taps at distances 0.5 and 1.5 from the centre with weights 3/4 and 1/4,
        // normalised: out[0] = (3*a0 + 3*a1 + a2) / 7 (a3 outside the support of the first output).
        byte[] src = {0, 70, (byte) 140, (byte) 210};
        byte[] out = PilResize.resample(src, 4, 1, 1, 2, 1, Filter.BILINEAR);
        assertEquals(Math.round((3 * 0 + 3 * 70 + 140) / 7.0), out[0] & 0xff);
        assertEquals(Math.round((70 + 3 * 140 + 3 * 210) / 7.0), out[1] & 0xff);
    }

    @Test
    void nearestFollowsPillowsScaleAffine() {
        byte[] src = new byte[10];
        for (int i = 0; i < 10; i++) {
            src[i] = (byte) i;
        }
        // 10 -> 4: scale 2.5, sample at 1.25, 3.75, 6.25, 8.75 -> 1, 3, 6, 8
        assertArrayEquals(new byte[] {1, 3, 6, 8}, PilResize.nearest(src, 10, 1, 1, 4, 1));
        // 10 -> 3: scale 3.333, sample at 1.67, 5, 8.33 -> 1, 5, 8
        assertArrayEquals(new byte[] {1, 5, 8}, PilResize.nearest(src, 10, 1, 1, 3, 1));
        // upscale 2 -> 5: positions 0.2, 0.6, 1.0, 1.4, 1.8 -> 0, 0, 1, 1, 1
        assertArrayEquals(new byte[] {0, 0, 1, 1, 1}, PilResize.nearest(new byte[] {0, 1}, 2, 1, 1, 5, 1));
    }

    @Test
    void premultiplicationUsesPillowsIntegerMaths() {
        byte[] px = {(byte) 255, (byte) 128, 1, (byte) 128, 10, 20, 30, 0, 7, 8, 9, (byte) 255};
        byte[] pre = PilResize.premultiply(px, 4);
        // MULDIV255(v, a): t = v * a + 128; ((t >> 8) + t) >> 8
        assertArrayEquals(new byte[] {(byte) 128, 64, 1, (byte) 128, 0, 0, 0, 0, 7, 8, 9, (byte) 255}, pre);
        PilResize.unpremultiplyInPlace(pre, 4);
        // 255 * 128 / 128 = 255, 255 * 64 / 128 = 127, 255 * 1 / 128 = 1 (truncating); a = 0 and 255 untouched
        assertArrayEquals(new byte[] {(byte) 255, 127, 1, (byte) 128, 0, 0, 0, 0, 7, 8, 9, (byte) 255}, pre);
    }

    @Test
    void modeRules() {
        byte[] pal = new byte[DecodedImage.PALETTE_BYTES];
        byte[] idx = {0, 1, 2, 3, 4, 5, 6, 7};
        DecodedImage p = new DecodedImage("p", "RAW", DecodedImage.Mode.P, 8, 1, idx, pal);
        // palette images never get interpolated indices, whatever filter is asked for
        DecodedImage r = PilResize.resize(p, 3, 1, Filter.BICUBIC);
        assertArrayEquals(PilResize.nearest(idx, 8, 1, 1, 3, 1), r.pixels());
        assertSame(pal, r.palette());
        // same size: Pillow returns a copy without the premultiply round trip
        byte[] rgba = {10, 20, 30, 7};
        DecodedImage one = new DecodedImage("a", "RAW", DecodedImage.Mode.RGBA, 1, 1, rgba, null);
        assertSame(one, PilResize.resize(one, 1, 1, Filter.BICUBIC));
        // RGBA goes through premultiplication: colour under alpha 0 disappears
        byte[] two = {(byte) 255, 0, 0, 0, 0, 0, (byte) 255, (byte) 255};
        DecodedImage t = new DecodedImage("t", "RAW", DecodedImage.Mode.RGBA, 2, 1, two, null);
        DecodedImage half = PilResize.resize(t, 1, 1, Filter.BILINEAR);
        assertEquals(0, half.sample(0, 0, 0)); // red under alpha 0 contributes nothing
        assertEquals(255, half.sample(0, 0, 2)); // 128 premultiplied blue / alpha 128 -> 255
        assertEquals(128, half.sample(0, 0, 3));
    }
}
