package org.vlm4j.model.generative;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vlm4j.data.ImageTextDataset;
import org.vlm4j.data.Shapes;
import org.vlm4j.image.ImagePreprocessor;
import org.vlm4j.model.ImageTextEncoder;

/**
 * Retrieval for CM3leon-style pretraining: MMR trades relevance for diversity as its lambda says; over Shapes, the
 * documents retrieved for each training pair share its first-named shape's colour or shape far more often than
 * chance, and are never the pair itself nor an exact copy of its image under another name.
 */
class FusionDocumentsTest {
    @TempDir
    Path tmp;

    @Test
    void mmrPrefersADifferentSecondDocumentOverANearCopyOfTheFirst() {
        float[][] emb = {unit(1, 0, 0), unit(0.9f, 0.3f, 0), unit(0.9f, 0.31f, 0), unit(0.8f, 0, 0.6f),
            unit(1, 0, 0)};
        // lambda 1: the two nearest (the near-copies); lambda 0.5: the nearest, then the different one; the exact
        // copy of the query (row 4) is never a candidate at the cap 0.995
        assertArrayEquals(new int[] {1, 2}, FusionDocuments.select(emb, 2, 1.0, 0.995)[0]);
        assertArrayEquals(new int[] {1, 3}, FusionDocuments.select(emb, 2, 0.5, 0.995)[0]);
        for (int[] row : FusionDocuments.select(emb, 2, 0.5, 0.995)) {
            assertEquals(2, row.length);
        }
        assertFalse(contains(FusionDocuments.select(emb, 4, 0.5, 0.995)[0], 4), "a duplicate of the query");
        assertFalse(contains(FusionDocuments.select(emb, 4, 0.5, 0.995)[4], 0), "a duplicate of the query");
        assertEquals(3, FusionDocuments.select(emb, 4, 0.5, 0.995)[0].length, "fewer candidates, fewer documents");
    }

    @Test
    void retrievedDocumentsAreRelevantAndNeverTheSampleItself() throws Exception {
        Path data = tmp.resolve("shapes");
        Shapes.generate(data, Shapes.Config.of(300, 5).withSize(32));
        List<String> lines = new ArrayList<>(Files.readAllLines(data.resolve("train.tsv")));
        // an exact copy of the first image under another name: a different key, the same picture
        String[] first = lines.get(1).split("\t", -1);
        Files.copy(data.resolve(first[0]), data.resolve("copy.png"));
        first[0] = "copy.png";
        lines.add(String.join("\t", first));
        Path table = data.resolve("with-copy.tsv");
        Files.write(table, lines);
        ImageTextDataset set = ImageTextDataset.open(table.toString());
        int k = 2;
        try (VqVae vq = new VqVae(VqVaePresets.tiny(), 1)) {
            FusionDocuments docs = FusionDocuments.build(new PaletteRetriever(), vq, set, k,
                    FusionDocuments.DEFAULT_LAMBDA, FusionDocuments.DEFAULT_DUPLICATE_CAP);
            List<String[]> rows = lines.subList(1, lines.size()).stream().map(l -> l.split("\t", -1)).toList();
            List<String> header = List.of(lines.get(0).split("\t", -1));
            int colour = header.indexOf("color");
            int shape = header.indexOf("shape");
            int relevant = 0;
            int retrieved = 0;
            for (String[] r : rows) {
                String key = key(docs, r[0]);
                int self = docs.indexOf(key);
                int[] nb = docs.neighboursOf(key);
                assertEquals(k, nb.length);
                for (int j : nb) {
                    assertTrue(j != self, "entry " + key + " retrieved itself");
                    String[] d = rows.get(j);
                    relevant += d[colour].equals(r[colour]) || d[shape].equals(r[shape]) ? 1 : 0;
                    retrieved++;
                }
            }
            int copy = rows.size() - 1;
            int original = 0;
            assertFalse(contains(docs.neighboursOf(key(docs, rows.get(copy)[0])), original), "the copy retrieved its original");
            assertFalse(contains(docs.neighboursOf(key(docs, rows.get(original)[0])), copy), "the original retrieved its copy");
            double chance = 0;
            for (String[] a : rows) {
                for (String[] b : rows) {
                    chance += a != b && (a[colour].equals(b[colour]) || a[shape].equals(b[shape])) ? 1 : 0;
                }
            }
            chance /= (double) rows.size() * (rows.size() - 1);
            double share = (double) relevant / retrieved;
            System.out.printf("retrieval: %d documents, %.3f share its colour or shape (chance %.3f)%n", retrieved,
                    share, chance);
            // the bar: at least 0.8 where chance is ~0.27 (8 colours x 6 shapes); observed: see the printout
            assertTrue(share >= 0.8 && share > 2.5 * chance, "relevant share " + share + " vs chance " + chance);
        }
    }

    /** The key of a table entry: the image path as the table wrote it. */
    private static String key(FusionDocuments docs, String image) {
        if (docs.indexOf(image) >= 0) {
            return image;
        }
        throw new AssertionError("no entry keyed '" + image + "'");
    }

    private static boolean contains(int[] a, int x) {
        for (int v : a) {
            if (v == x) {
                return true;
            }
        }
        return false;
    }

    private static float[] unit(float... v) {
        double n = 0;
        for (float x : v) {
            n += x * x;
        }
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) (v[i] / Math.sqrt(n));
        }
        return out;
    }

    /**
     * A retriever that needs no training, standing in for a CLIP: images are embedded by the share of their
     * non-background pixels nearest each Shapes colour, texts by the colour and shape words they contain (the first
     * named counted double), in one space of colours then shapes.
     */
    static final class PaletteRetriever implements ImageTextEncoder {
        static final int DIM = Shapes.COLORS.size() + Shapes.SHAPES.size();

        @Override
        public int embedDim() {
            return DIM;
        }

        @Override
        public ImagePreprocessor preprocessor() {
            return new ImagePreprocessor(VqVaePresets.tiny().preprocess());
        }

        @Override
        public float[][] encodePixels(float[] pixels, int n, int height, int width) {
            int plane = height * width;
            float[][] out = new float[n][DIM];
            for (int i = 0; i < n; i++) {
                for (int p = 0; p < plane; p++) {
                    float[] rgb = new float[3];
                    for (int c = 0; c < 3; c++) {
                        rgb[c] = (pixels[(i * 3 + c) * plane + p] * 0.5f + 0.5f) * 255;
                    }
                    if (Math.max(rgb[0], Math.max(rgb[1], rgb[2])) < 90) {
                        continue; // background
                    }
                    int best = 0;
                    double bestD = Double.MAX_VALUE;
                    for (int c = 0; c < Shapes.COLORS.size(); c++) {
                        int[] pal = Shapes.rgb(c);
                        double d = Math.pow(rgb[0] - pal[0], 2) + Math.pow(rgb[1] - pal[1], 2)
                                + Math.pow(rgb[2] - pal[2], 2);
                        if (d < bestD) {
                            bestD = d;
                            best = c;
                        }
                    }
                    out[i][best]++;
                }
                out[i] = unit(nonZero(out[i]));
            }
            return out;
        }

        @Override
        public float[][] encodeTexts(List<String> texts) {
            float[][] out = new float[texts.size()][DIM];
            for (int i = 0; i < texts.size(); i++) {
                String[] words = texts.get(i).split(" ");
                boolean firstColour = true;
                boolean firstShape = true;
                for (String w : words) {
                    int c = Shapes.COLORS.indexOf(w);
                    int s = Shapes.SHAPES.indexOf(w);
                    if (c >= 0) {
                        out[i][c] += firstColour ? 2 : 1;
                        firstColour = false;
                    }
                    if (s >= 0) {
                        out[i][Shapes.COLORS.size() + s] += firstShape ? 2 : 1;
                        firstShape = false;
                    }
                }
                out[i] = unit(nonZero(out[i]));
            }
            return out;
        }

        private static float[] nonZero(float[] v) {
            for (float x : v) {
                if (x != 0) {
                    return v;
                }
            }
            v[0] = 1e-3f;
            return v;
        }

        @Override
        public float[][] logits(float[][] imageEmbeds, float[][] textEmbeds) {
            throw new UnsupportedOperationException("not needed for retrieval");
        }
    }
}
