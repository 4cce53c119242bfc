package org.vlm4j.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vlm4j.data.Shapes;
import org.vlm4j.image.ImagePreprocessor;
import org.vlm4j.model.ImageTextScorer;

/** Winoground's scores on hand-made matrices, both score sources, and the table reader's errors. */
class WinogroundTest {
    @TempDir
    Path tmp;

    static WinogroundPair pair(String kind, String heldout) {
        return new WinogroundPair(Path.of("a"), Path.of("b"), "t0", "t1", Map.of("kind", kind, "heldout", heldout));
    }

    @Test
    void handMadeMatricesGiveHandComputedScores() {
        // s[caption][image]
        float[][] both = {{0.9f, 0.2f}, {0.1f, 0.8f}};      // text yes, image yes
        float[][] textOnly = {{0.5f, 0.6f}, {0.4f, 0.7f}};  // text: .5 > .4, .7 > .6; image: .5 > .6 fails
        float[][] imageOnly = {{0.6f, 0.2f}, {0.7f, 0.9f}}; // text: .6 > .7 fails; image: .6 > .2, .9 > .7
        float[][] ties = {{0.5f, 0.5f}, {0.5f, 0.5f}};      // strict comparisons: a tie fails everything
        float[][] swapped = {{0.1f, 0.8f}, {0.9f, 0.2f}};   // prefers the wrong caption and the wrong image
        assertTrue(Winoground.textCorrect(both) && Winoground.imageCorrect(both) && Winoground.groupCorrect(both));
        assertTrue(Winoground.textCorrect(textOnly) && !Winoground.imageCorrect(textOnly));
        assertTrue(!Winoground.textCorrect(imageOnly) && Winoground.imageCorrect(imageOnly));
        assertFalse(Winoground.textCorrect(ties) || Winoground.imageCorrect(ties));
        assertFalse(Winoground.textCorrect(swapped) || Winoground.imageCorrect(swapped));

        List<WinogroundPair> pairs = List.of(pair("attribute", "false"), pair("attribute", "true"),
                pair("relation", "false"), pair("relation", "true"), pair("relation", "true"));
        WinogroundResult r = Winoground.result(pairs, List.of(both, textOnly, imageOnly, ties, swapped), "score");
        assertEquals(5, r.n());
        assertEquals(2 / 5.0, r.textScore(), 1e-12);
        assertEquals(2 / 5.0, r.imageScore(), 1e-12);
        assertEquals(1 / 5.0, r.groupScore(), 1e-12);
        WinogroundResult attr = r.groups().get("attribute");
        assertEquals(2, attr.n());
        assertEquals(1.0, attr.textScore(), 1e-12);
        assertEquals(0.5, attr.imageScore(), 1e-12);
        assertEquals(0.5, attr.groupScore(), 1e-12);
        WinogroundResult rel = r.groups().get("relation");
        assertEquals(List.of(3, 0.0, 1 / 3.0, 0.0), List.of(rel.n(), rel.textScore(), rel.imageScore(), rel.groupScore()));
        WinogroundResult held = r.groups().get("heldout");
        assertEquals(List.of(3, 1 / 3.0, 0.0, 0.0), List.of(held.n(), held.textScore(), held.imageScore(),
                held.groupScore()));
        WinogroundResult seen = r.groups().get("seen");
        assertEquals(List.of(2, 0.5, 1.0, 0.5), List.of(seen.n(), seen.textScore(), seen.imageScore(),
                seen.groupScore()));
        Map<String, Object> json = r.toJson();
        assertEquals(List.of("text_score", "image_score", "group_score", "n", "similarity", "groups"),
                List.copyOf(json.keySet()));
    }

    @Test
    void cosineOfEncoderEmbeddings() throws Exception {
        Path i0 = tmp.resolve("i0.png");
        Path i1 = tmp.resolve("i1.png");
        StubEncoder enc = new StubEncoder(2, 1f, true)
                .image(i0, 1, 0).image(i1, 0, 1)
                .text("red left of blue", 2, 1).text("blue left of red", 1, 3)   // right on both: group
                .text("a b", 1, 1).text("b a", 1, 1);                          // identical embeddings: all ties
        List<WinogroundPair> pairs = List.of(
                new WinogroundPair(i0, i1, "red left of blue", "blue left of red", Map.of()),
                new WinogroundPair(i0, i1, "a b", "b a", Map.of()));
        List<float[][]> s = Winoground.cosineScores(enc, pairs);
        assertEquals(2 / Math.sqrt(5), s.get(0)[0][0], 1e-6); // caption 0 with image 0
        assertEquals(1 / Math.sqrt(10), s.get(0)[1][0], 1e-6);
        assertEquals(3 / Math.sqrt(10), s.get(0)[1][1], 1e-6);
        WinogroundResult r = Winoground.result(pairs, s, "cosine");
        assertEquals(List.of(0.5, 0.5, 0.5), List.of(r.textScore(), r.imageScore(), r.groupScore()));
        assertTrue(r.groups().isEmpty());
    }

    /** Scores by redness: transposes the scorer's [image][text] into [caption][image] correctly. */
    @Test
    void scorerScoresAreReadAsImageByText() throws Exception {
        Path red = tmp.resolve("red.png");
        Path blue = tmp.resolve("blue.png");
        Files.write(red, Shapes.png(solid(new Color(230, 20, 20))));
        Files.write(blue, Shapes.png(solid(new Color(20, 20, 230))));
        ImageTextScorer scorer = new ImageTextScorer() {
            @Override
            public ImagePreprocessor preprocessor() {
                return new ImagePreprocessor(ImagePreprocessor.PreprocessConfig.openaiClip(16));
            }

            @Override
            public float[][] score(float[] pixels, int n, int h, int w, List<String> texts) {
                float[][] out = new float[n][texts.size()];
                for (int i = 0; i < n; i++) {
                    float redness = pixels[i * 3 * h * w] - pixels[i * 3 * h * w + 2 * h * w];
                    for (int j = 0; j < texts.size(); j++) {
                        out[i][j] = texts.get(j).startsWith("red") ? redness : -redness;
                    }
                }
                return out;
            }
        };
        List<WinogroundPair> right = List.of(new WinogroundPair(red, blue, "red", "blue", Map.of()));
        List<WinogroundPair> wrong = List.of(new WinogroundPair(blue, red, "red", "blue", Map.of()));
        assertEquals(1.0, Winoground.result(right, Winoground.scorerScores(scorer, right), "score").groupScore());
        WinogroundResult w = Winoground.result(wrong, Winoground.scorerScores(scorer, wrong), "score");
        assertEquals(List.of(0.0, 0.0), List.of(w.textScore(), w.imageScore()));
    }

    static BufferedImage solid(Color c) {
        BufferedImage img = new BufferedImage(16, 16, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                img.setRGB(x, y, c.getRGB());
            }
        }
        return img;
    }

    @Test
    void tableErrorsNameFileLineAndColumn() throws Exception {
        Path bad = tmp.resolve("bad.tsv");
        Files.writeString(bad, "image0\timage1\ttext0\nx.png\ty.png\ta\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Winoground.read(bad));
        assertTrue(e.getMessage().contains("bad.tsv") && e.getMessage().contains("'text1'"), e.getMessage());
        Path missing = tmp.resolve("missing.tsv");
        Files.writeString(missing, "image0\timage1\ttext0\ttext1\nx.png\ty.png\ta b\tb a\n");
        e = assertThrows(IllegalArgumentException.class, () -> Winoground.read(missing));
        assertTrue(e.getMessage().contains("missing.tsv:2") && e.getMessage().contains("x.png"), e.getMessage());
    }

    @Test
    void readsShapesTableWithKindAndHeldOutColumns() throws Exception {
        Shapes.Config cfg = Shapes.Config.of(20, 4).withSize(16).withWinogroundPairs(8);
        Shapes.generate(tmp, cfg);
        List<WinogroundPair> pairs = Winoground.read(tmp.resolve("winoground.tsv"));
        assertEquals(8, pairs.size());
        int held = 0;
        for (int i = 0; i < pairs.size(); i++) {
            WinogroundPair p = pairs.get(i);
            assertTrue(Files.isRegularFile(p.image0()) && Files.isRegularFile(p.image1()));
            assertEquals(i % 2 == 0 ? "attribute" : "relation", p.kind());
            assertEquals(Boolean.toString(Shapes.winogroundHeldOut(i)), p.meta().get("heldout"));
            held += Boolean.parseBoolean(p.meta().get("heldout")) ? 1 : 0;
        }
        assertEquals(4, held);
    }
}
