package org.vlm4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The outline style draws the same scenes as the filled one (same captions, fields, background), stroked instead of
 * filled: far fewer shape pixels, and the centre of a large shape shows the background.
 */
class ShapesStyleTest {
    @TempDir
    Path tmp;

    @Test
    void outlineDrawsTheSameScenesWithoutTheirInsides() {
        Shapes.Config filled = Shapes.Config.of(200, 5).withVocabulary(4, 3);
        Shapes.Config outline = filled.withStyle(Shapes.Style.OUTLINE);
        long filledPixels = 0;
        long outlinePixels = 0;
        int hollowCentres = 0;
        int largeSingles = 0;
        for (int k = 0; k < 40; k++) {
            Shapes.Scene a = Shapes.scene(filled, Shapes.Split.TRAIN, k);
            Shapes.Scene b = Shapes.scene(outline, Shapes.Split.TRAIN, k);
            assertEquals(a.caption(), b.caption(), "the style changes the drawing, not the scene");
            assertEquals(a.fields(), b.fields());
            int bg = a.image().getRGB(0, 0) & 0xff;
            assertEquals(a.image().getRGB(0, 0), b.image().getRGB(0, 0), "same background");
            filledPixels += coloured(a.image(), bg);
            outlinePixels += coloured(b.image(), bg);
            if (a.fields().get("count").equals("1") && a.fields().get("size").equals("large")
                    && !a.fields().get("shape").equals("cross")) {
                largeSingles++;
                int[] c = centre(a.image(), bg);
                hollowCentres += isBackground(b.image().getRGB(c[0], c[1]), bg) ? 1 : 0;
            }
        }
        assertTrue(outlinePixels < 0.6 * filledPixels, "outline " + outlinePixels + " vs filled " + filledPixels);
        assertTrue(outlinePixels > 0.1 * filledPixels, "the outlines are drawn: " + outlinePixels);
        assertTrue(largeSingles > 0);
        assertEquals(largeSingles, hollowCentres, "a large shape's centre is background when outlined");
    }

    @Test
    void theManifestNamesTheStyleOnlyWhenNotTheDefault() throws Exception {
        Shapes.generate(tmp.resolve("f"), Shapes.Config.of(20, 1).withSize(32).withVocabulary(2, 2));
        Shapes.generate(tmp.resolve("o"), Shapes.Config.of(20, 1).withSize(32).withVocabulary(2, 2)
                .withStyle(Shapes.Style.OUTLINE));
        assertFalse(Files.readString(tmp.resolve("f/shapes.json")).contains("style"));
        assertTrue(Files.readString(tmp.resolve("o/shapes.json")).contains("\"style\" : \"outline\""));
        assertEquals(Files.readString(tmp.resolve("f/train.tsv")), Files.readString(tmp.resolve("o/train.tsv")),
                "same captions and fields");
        assertFalse(java.util.Arrays.equals(Files.readAllBytes(tmp.resolve("f/images/train/000000.png")),
                Files.readAllBytes(tmp.resolve("o/images/train/000000.png"))));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Shapes.Style.of("dotted"));
        assertTrue(e.getMessage().contains("filled or outline"), e.getMessage());
    }

    private static long coloured(BufferedImage img, int bg) {
        long n = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                n += isBackground(img.getRGB(x, y), bg) ? 0 : 1;
            }
        }
        return n;
    }

    private static boolean isBackground(int rgb, int bg) {
        int r = (rgb >> 16) & 0xff;
        int g = (rgb >> 8) & 0xff;
        int b = rgb & 0xff;
        return Math.abs(r - bg) + Math.abs(g - bg) + Math.abs(b - bg) < 12;
    }

    /** The centre of the bounding box of the non-background pixels. */
    private static int[] centre(BufferedImage img, int bg) {
        int x0 = img.getWidth();
        int y0 = img.getHeight();
        int x1 = 0;
        int y1 = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                if (!isBackground(img.getRGB(x, y), bg)) {
                    x0 = Math.min(x0, x);
                    y0 = Math.min(y0, y);
                    x1 = Math.max(x1, x);
                    y1 = Math.max(y1, y);
                }
            }
        }
        return new int[] {(x0 + x1) / 2, (y0 + y1) / 2};
    }
}
