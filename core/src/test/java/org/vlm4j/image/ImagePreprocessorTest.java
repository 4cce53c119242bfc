package org.vlm4j.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.vlm4j.image.ImageFixtures.Case;
import org.vlm4j.image.ImagePreprocessor.PreprocessConfig;

class ImagePreprocessorTest {
    /** The acceptance tolerance on normalised values (one u8 level is 1/255/0.26 = 0.0146 after normalisation). */
    static final float TOL = 2e-2f;

    static final ImagePreprocessor OPENCLIP = new ImagePreprocessor(PreprocessConfig.openaiClip(224));
    static final ImagePreprocessor RGB_FIRST = new ImagePreprocessor(PreprocessConfig.openaiClip(224)
            .withRgbFirst(true));

    static Stream<Case> cases() {
        return ImageFixtures.cases().stream();
    }

    static boolean lossless(Case c) {
        return c.file().toString().endsWith(".png");
    }

    private static void check(Case c, ImagePreprocessor pre, String suffix) throws IOException {
        DecodedImage img = ImageDecoder.defaults().decode(c.file());
        float[] expected = ImageFixtures.tensor(c.name() + "/pixel_values" + suffix).toFloats();
        byte[] expectedU8 = ImageFixtures.tensor(c.name() + "/resized_cropped" + suffix + "_u8").toBytes();
        float[] actual = pre.preprocess(c.file());
        byte[] actualU8 = pre.resizeAndCrop(img).pixels();
        float diff = ImageFixtures.maxAbsDiff(expected, actual);
        int u8 = ImageFixtures.maxU8Diff(expectedU8, actualU8);
        System.out.printf("[preprocess] %-30s %-10s max|dpixel_values| = %.3e, max|du8| = %d%n", c.name(),
                suffix.isEmpty() ? "openclip" : "rgb_first", diff, u8);
        assertTrue(diff <= TOL, c.name() + suffix + ": max abs diff " + diff + " > " + TOL);
        if (lossless(c)) {
            // PNG decoding is lossless, so the Pillow-exact resize must reproduce the picture to the last bit.
            assertEquals(0, u8, c.name() + suffix + ": u8 picture differs from OpenCLIP's by up to " + u8);
            assertEquals(0f, diff, c.name() + suffix + ": same u8 picture must normalise to the same floats");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesOpenClipPixelValues(Case c) throws IOException {
        check(c, OPENCLIP, "");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rgbFirstMatchesRgbFirstVariant(Case c) throws IOException {
        check(c, RGB_FIRST, "_rgb_first");
    }

    @Test
    void syntheticNoiseIsExactToTheLastBit() throws IOException {
        Case c = ImageFixtures.byName("synthetic_noise_301x203");
        byte[] expectedU8 = ImageFixtures.tensor(c.name() + "/resized_cropped_u8").toBytes();
        DecodedImage img = ImageDecoder.defaults().decode(c.file());
        assertArrayEquals(expectedU8, OPENCLIP.resizeAndCrop(img).pixels());
        assertArrayEquals(ImageFixtures.tensor(c.name() + "/pixel_values").toFloats(), OPENCLIP.preprocess(img));
    }

    @Test
    void orderMattersForRgbaAndPaletteImages() throws IOException {
        for (String name : List.of("camera-web", "gnupg-card-architecture")) {
            Case c = ImageFixtures.byName(name);
            float[] a = OPENCLIP.preprocess(c.file());
            float[] b = RGB_FIRST.preprocess(c.file());
            assertTrue(ImageFixtures.maxAbsDiff(a, b) > 1f, name + ": the two orders should differ a lot");
        }
        Case rgb = ImageFixtures.byName("webtide_logo");
        assertArrayEquals(OPENCLIP.preprocess(rgb.file()), RGB_FIRST.preprocess(rgb.file()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void resizedSizeAndCropOffsetMatchTorchvision(Case c) throws IOException {
        DecodedImage img = ImageDecoder.defaults().decode(c.file());
        assertEquals(c.width(), img.width());
        assertEquals(c.height(), img.height());
        assertEquals(c.pilMode(), img.mode().pilName());
        ImagePreprocessor.Geometry g = OPENCLIP.geometry(img.width(), img.height());
        assertEquals(c.resizedW(), g.resizedWidth(), c.name() + " resized width");
        assertEquals(c.resizedH(), g.resizedHeight(), c.name() + " resized height");
        assertEquals(c.cropX(), g.cropX(), c.name() + " crop left");
        assertEquals(c.cropY(), g.cropY(), c.name() + " crop top");
        assertEquals(224, g.cropWidth());
        assertEquals(224, g.cropHeight());
    }

    @Test
    void cropOffsetUsesPythonBankersRounding() {
        // (321 - 224) / 2 = 48.5 -> 48 (even), (323 - 224) / 2 = 49.5 -> 50 (even)
        assertArrayEquals(new int[] {0, 48}, ImagePreprocessor.centerCropOffset(224, 321, 224));
        assertArrayEquals(new int[] {50, 0}, ImagePreprocessor.centerCropOffset(323, 224, 224));
        assertArrayEquals(new int[] {345, 0}, ImagePreprocessor.centerCropOffset(914, 224, 224));
        // long side truncates: 224 * 1659 / 1155 = 321.75...
        assertArrayEquals(new int[] {224, 321}, ImagePreprocessor.shortestSideSize(1155, 1659, 224));
        assertArrayEquals(new int[] {914, 224}, ImagePreprocessor.shortestSideSize(245, 60, 224));
    }

    @Test
    void batchEqualsPerImageResultsInOrder() throws IOException {
        List<Path> files = new ArrayList<>();
        ImageFixtures.cases().forEach(c -> files.add(c.file()));
        files.add(files.get(0)); // a repeat, to have more tasks than threads
        int per = OPENCLIP.imageFloats();
        float[] expected = new float[files.size() * per];
        for (int i = 0; i < files.size(); i++) {
            System.arraycopy(OPENCLIP.preprocess(files.get(i)), 0, expected, i * per, per);
        }
        assertArrayEquals(expected, OPENCLIP.preprocessBatch(files, 2));
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            assertArrayEquals(expected, OPENCLIP.preprocessBatch(files, pool));
            List<Path> reversed = new ArrayList<>(files);
            java.util.Collections.reverse(reversed);
            float[] rev = OPENCLIP.preprocessBatch(reversed, pool);
            for (int i = 0; i < files.size(); i++) {
                assertArrayEquals(java.util.Arrays.copyOfRange(expected, i * per, (i + 1) * per),
                        java.util.Arrays.copyOfRange(rev, (files.size() - 1 - i) * per, (files.size() - i) * per));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void batchFailureNamesTheBadFile() {
        List<Path> files = new ArrayList<>();
        ImageFixtures.cases().forEach(c -> files.add(c.file()));
        Path missing = ImageFixtures.DIR.resolve("images/does-not-exist.png");
        files.add(2, missing);
        ImageDecodeException e = assertThrows(ImageDecodeException.class, () -> OPENCLIP.preprocessBatch(files, 2));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    }

    @Test
    void siglipSquashesWithoutCrop() throws IOException {
        Case c = ImageFixtures.byName("synthetic_noise_301x203");
        ImagePreprocessor sig = new ImagePreprocessor(PreprocessConfig.siglip(224));
        ImagePreprocessor.Geometry g = sig.geometry(301, 203);
        assertEquals(new ImagePreprocessor.Geometry(224, 224, 0, 0, 224, 224), g);
        DecodedImage img = ImageDecoder.defaults().decode(c.file());
        byte[] u8 = PilResize.resample(img.pixels(), 301, 203, 3, 224, 224, PilResize.Filter.BICUBIC);
        float[] out = sig.preprocess(img);
        int n = 224 * 224;
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < 3; ch++) {
                assertEquals(((u8[i * 3 + ch] & 0xff) / 255f - 0.5f) / 0.5f, out[ch * n + i]);
            }
        }
        assertNotEquals(0f, ImageFixtures.maxAbsDiff(out, OPENCLIP.preprocess(img)));
    }

    @Test
    void configValidatesAndCopies() {
        float[] mean = {0.1f, 0.2f, 0.3f};
        PreprocessConfig cfg = new PreprocessConfig(32, mean, mean, "bilinear", "shortest", false);
        mean[0] = 9f;
        assertEquals(0.1f, cfg.mean()[0]);
        assertThrows(IllegalArgumentException.class,
                () -> new PreprocessConfig(32, mean, mean, "cubic-ish", "shortest", false));
        assertThrows(IllegalArgumentException.class,
                () -> new PreprocessConfig(32, mean, mean, "bicubic", "longest", false));
        assertThrows(IllegalArgumentException.class,
                () -> new PreprocessConfig(0, mean, mean, "bicubic", "shortest", false));
        assertThrows(IllegalArgumentException.class,
                () -> new PreprocessConfig(32, mean, new float[] {1, 0, 1}, "bicubic", "shortest", false));
    }
}
