package org.vlm4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vlm4j.image.DecodedImage;
import org.vlm4j.image.ImageDecoder;
import org.vlm4j.image.ImagePreprocessor;
import org.vlm4j.image.ImagePreprocessor.PreprocessConfig;

/** The Shapes generator: determinism, splits, captions, Winoground pairs, formats. */
class ShapesTest {
    @TempDir
    Path tmp;

    static Map<String, String> shas(Path dir) throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path f : walk.filter(Files::isRegularFile).toList()) {
                byte[] h = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f));
                out.put(dir.relativize(f).toString(), HexFormat.of().formatHex(h));
            }
        }
        return out;
    }

    static List<Map<String, String>> rows(Path tsv) throws IOException {
        List<String> lines = Files.readAllLines(tsv, StandardCharsets.UTF_8);
        String[] header = lines.get(0).split("\t", -1);
        List<Map<String, String>> out = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.split("\t", -1);
            assertEquals(header.length, cells.length, line);
            Map<String, String> m = new TreeMap<>();
            for (int i = 0; i < header.length; i++) {
                m.put(header[i], cells[i]);
            }
            out.add(m);
        }
        return out;
    }

    @Test
    @org.junit.jupiter.api.Timeout(60)
    void smallestVocabularyStillGenerates() throws Exception {
        // 2 shapes: every colour keeps one seen shape, so no attribute swap exists; pairs fall back to relations.
        Shapes.Config cfg = Shapes.Config.of(40, 3).withVocabulary(2, 2);
        assertTrue(!Shapes.attributeSwapExists(cfg));
        Shapes.Summary s = Shapes.generate(tmp.resolve("small"), cfg);
        assertEquals(4, s.winoground());
        for (String line : Files.readAllLines(tmp.resolve("small/winoground.tsv")).subList(1, 5)) {
            assertTrue(line.endsWith("relation"), line);
        }
        assertTrue(Shapes.attributeSwapExists(Shapes.Config.of(40, 3)));
    }

    @Test
    void sameSeedSameBytesOtherSeedOtherData() throws Exception {
        Shapes.Config cfg = Shapes.Config.of(60, 11);
        Shapes.generate(tmp.resolve("a"), cfg);
        Shapes.generate(tmp.resolve("b"), cfg);
        Map<String, String> a = shas(tmp.resolve("a"));
        assertEquals(a, shas(tmp.resolve("b")));
        // 48 + 6 + 6 scenes, 6 winoground pairs, 4 tables, 3 one-shape tables, 3 question tables, 2 class lists, the
        // manifest.
        assertEquals(60 + 12 + 4 + 3 + 3 + 2 + 1, a.size());
        Shapes.generate(tmp.resolve("c"), Shapes.Config.of(60, 12));
        Map<String, String> c = shas(tmp.resolve("c"));
        assertNotEquals(a.get("train.tsv"), c.get("train.tsv"));
        assertNotEquals(a.get("images/train/000000.png"), c.get("images/train/000000.png"));
        assertTrue(Files.readString(tmp.resolve("a/shapes.json")).contains("\"seed\" : 11"));
    }

    @Test
    void splitsAreDisjointInCompositionAndCaptionsMatchTheColumns() throws Exception {
        Shapes.Config cfg = Shapes.Config.of(400, 3);
        Shapes.Summary s = Shapes.generate(tmp, cfg);
        assertEquals(List.of(320, 40, 40, 40), List.of(s.train(), s.val(), s.heldout(), s.winoground()));
        List<String> heldOut = cfg.heldOutClassNames();
        assertEquals(List.of("red circle", "green square", "blue triangle", "yellow star", "purple cross",
                "orange diamond", "white circle", "cyan square"), heldOut);
        assertEquals(cfg.classNames(), Files.readAllLines(tmp.resolve("classes.txt")));
        assertEquals(48, cfg.classNames().size());
        assertEquals(heldOut, Files.readAllLines(tmp.resolve("heldout_classes.txt")));
        int[] counts = new int[4];
        for (String split : List.of("train", "val", "heldout")) {
            List<Map<String, String>> rows = rows(tmp.resolve(split + ".tsv"));
            assertEquals(split.equals("train") ? 320 : 40, rows.size());
            for (Map<String, String> r : rows) {
                assertTrue(Files.isRegularFile(tmp.resolve(r.get("image"))), r.toString());
                List<String> objects = new ArrayList<>();
                for (String suffix : List.of("", "2", "3")) {
                    if (!r.get("color" + suffix).isEmpty()) {
                        objects.add(r.get("color" + suffix) + " " + r.get("shape" + suffix));
                    }
                }
                int n = Integer.parseInt(r.get("count"));
                assertEquals(n, objects.size());
                counts[n]++;
                boolean firstHeldOut = heldOut.contains(objects.get(0));
                assertEquals(split.equals("heldout"), firstHeldOut, split + ": " + r);
                for (String o : objects.subList(1, n)) {
                    assertFalse(heldOut.contains(o), split + " (other shapes are seen compositions): " + r);
                }
                // The caption names the shapes in column order, with sizes and the relation.
                String want = "a " + r.get("size") + " " + objects.get(0);
                if (n > 1) {
                    want += " " + r.get("relation") + " a " + r.get("size2") + " " + objects.get(1);
                    assertEquals("large", r.get("size"));
                }
                if (n > 2) {
                    want += " and a " + r.get("size3") + " " + objects.get(2);
                }
                assertEquals(want, r.get("text"));
            }
            // the split's scenes of one shape, in order, as their own table
            List<Map<String, String>> one = rows(tmp.resolve(split + "_one_shape.tsv"));
            assertEquals(rows.stream().filter(r -> r.get("count").equals("1")).toList(), one, split);
            assertTrue(!one.isEmpty() && one.size() < rows.size(), split + ": " + one.size());
            assertEquals(tmp.resolve(split + "_one_shape.tsv").toString(), s.data().get(split + "_one_shape"));
        }
        assertTrue(counts[1] > 150 && counts[2] > 90 && counts[3] > 30, Arrays.toString(counts));
    }

    @Test
    void winogroundPairsArePermutationsOfTheSameWords() throws Exception {
        Shapes.Config cfg = Shapes.Config.of(100, 5).withWinogroundPairs(12);
        Shapes.generate(tmp, cfg);
        List<Map<String, String>> rows = rows(tmp.resolve("winoground.tsv"));
        assertEquals(12, rows.size());
        ImageDecoder dec = ImageDecoder.defaults();
        int attribute = 0;
        for (Map<String, String> r : rows) {
            String t0 = r.get("text0");
            String t1 = r.get("text1");
            assertNotEquals(t0, t1);
            List<String> w0 = new ArrayList<>(List.of(t0.split(" ")));
            List<String> w1 = new ArrayList<>(List.of(t1.split(" ")));
            w0.sort(null);
            w1.sort(null);
            assertEquals(w0, w1, t0 + " / " + t1);
            assertFalse(t0.contains("a orange") || t1.contains("a orange"), t0 + " / " + t1);
            DecodedImage i0 = dec.decode(tmp.resolve(r.get("image0")));
            DecodedImage i1 = dec.decode(tmp.resolve(r.get("image1")));
            assertFalse(Arrays.equals(i0.pixels(), i1.pixels()), r.toString());
            if (r.get("kind").equals("attribute")) {
                attribute++;
                assertTrue(t0.contains(" and "), t0);
            } else {
                assertEquals("relation", r.get("kind"));
                assertTrue(Shapes.RELATIONS.stream().anyMatch(t0::contains), t0);
            }
        }
        assertEquals(6, attribute);
    }

    @Test
    void tarFormatHoldsTheSameScenesAsTheTables() throws Exception {
        Shapes.Config cfg = Shapes.Config.of(40, 9).withShardSize(12);
        Shapes.generate(tmp.resolve("tsv"), cfg);
        Shapes.Summary s = Shapes.generate(tmp.resolve("tar"), cfg.withFormat(Shapes.Format.TAR));
        assertEquals(tmp.resolve("tar/train-{0000..0002}.tar").toString(), s.data().get("train"));
        assertEquals(tmp.resolve("tar/val-0000.tar").toString(), s.data().get("val"));
        assertFalse(Files.exists(tmp.resolve("tar/train.tsv")));
        ImagePreprocessor pre = new ImagePreprocessor(PreprocessConfig.openaiClip(64));
        for (String split : List.of("train", "val", "heldout")) {
            DataFixtures.Drained fromTsv;
            DataFixtures.Drained fromTar;
            BatchLoader.Options seq = BatchLoader.Options.sequential(64);
            try (BatchLoader a = new BatchLoader(ImageTextDataset.open(s.data().get(split).replace("/tar/", "/tsv/")
                    .replaceAll("-(\\{.*\\}|0000)\\.tar$", ".tsv")), pre, seq);
                 BatchLoader b = new BatchLoader(ImageTextDataset.open(s.data().get(split)), pre, seq)) {
                Batch x = a.next();
                Batch y = b.next();
                assertEquals(x.captions(), y.captions(), split);
                assertArrayEquals(x.pixels(), y.pixels(), split);
                assertEquals(x.meta().get(0).get("shape"), y.meta().get(0).get("shape"));
                assertEquals(cfg.count(Shapes.Split.valueOf(split.toUpperCase())), x.size());
            }
        }
    }

    @Test
    void relationsHoldWithAClearMargin() {
        for (int size : new int[] {16, 32, 64, 100}) {
            for (int seed = 0; seed < 300; seed++) {
                Rng rng = new Rng(seed);
                double dA = rng.nextDouble(0.40, 0.48) * size;
                double dB = rng.nextDouble(0.22, 0.28) * size;
                int rel = seed % 4;
                double[] p = Shapes.placePair(rng, size, dA, dB, rel);
                double ax = p[0] + dA / 2;
                double ay = p[1] + dA / 2;
                double bx = p[2] + dB / 2;
                double by = p[3] + dB / 2;
                for (double v : new double[] {p[0], p[1]}) {
                    assertTrue(v >= 0 && v + dA <= size, "A inside the picture");
                }
                for (double v : new double[] {p[2], p[3]}) {
                    assertTrue(v >= 0 && v + dB <= size, "B inside the picture");
                }
                String what = Shapes.RELATIONS.get(rel) + " " + Arrays.toString(p);
                switch (rel) {
                    case 0 -> assertTrue(p[0] + dA < p[2] && Math.abs(by - ay) <= 0.5 * (bx - ax), what);
                    case 1 -> assertTrue(p[2] + dB < p[0] && Math.abs(by - ay) <= 0.5 * (ax - bx), what);
                    case 2 -> assertTrue(p[1] + dA < p[3] && Math.abs(bx - ax) <= 0.5 * (by - ay), what);
                    default -> assertTrue(p[3] + dB < p[1] && Math.abs(bx - ax) <= 0.5 * (ay - by), what);
                }
            }
        }
    }

    @Test
    void pngEncoderRoundTripsThroughTheDecoder() throws Exception {
        Shapes.Scene sc = Shapes.scene(Shapes.Config.of(10, 1).withSize(37), Shapes.Split.TRAIN, 4);
        DecodedImage d = ImageDecoder.defaults().decode(Shapes.png(sc.image()), "scene");
        assertEquals(DecodedImage.Mode.RGB, d.mode());
        assertEquals(37, d.width());
        for (int y = 0; y < 37; y++) {
            for (int x = 0; x < 37; x++) {
                int rgb = sc.image().getRGB(x, y);
                assertEquals((rgb >> 16) & 0xff, d.sample(x, y, 0));
                assertEquals((rgb >> 8) & 0xff, d.sample(x, y, 1));
                assertEquals(rgb & 0xff, d.sample(x, y, 2));
            }
        }
    }

    @Test
    void tinyPicturesStillFit() {
        Shapes.Config cfg = Shapes.Config.of(10, 1).withSize(16);
        for (int i = 0; i < 200; i++) {
            assertEquals(16, Shapes.scene(cfg, Shapes.Split.TRAIN, i).image().getWidth());
            assertEquals(16, Shapes.winoground(cfg, i).image0().getWidth());
        }
    }

    @Test
    void smallerVocabularyKeepsTheRule() {
        Shapes.Config cfg = Shapes.Config.of(10, 1).withVocabulary(4, 3);
        assertEquals(12, cfg.classNames().size());
        assertEquals(List.of("red circle", "green square", "blue triangle", "yellow circle"), cfg.heldOutClassNames());
        assertTrue(cfg.isHeldOut("yellow", "circle"));
        assertFalse(cfg.isHeldOut("purple", "circle"));
    }
}
