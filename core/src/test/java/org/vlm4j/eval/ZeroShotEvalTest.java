package org.vlm4j.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Zero-shot accuracy through a stub encoder whose answers are chosen, so every number is worked by hand. */
class ZeroShotEvalTest {
    static final float R = (float) (1 / Math.sqrt(2));
    static final List<String> CLASSES = List.of("cat", "dog", "car", "tree", "boat", "fish");
    static final List<String> TEMPLATES = List.of("a photo of a {}.", "art of the {}.");

    /*
     * Embedding dim 4, e0..e3 the unit vectors. Template embeddings and the class embeddings they average to
     * (mean of the normalised template embeddings, normalised):
     *   cat:  photo e0,  art e1   -> (e0 + e1)/sqrt2 = ( r, r, 0, 0), r = 1/sqrt2
     *   dog:  photo e1,  art e1   -> e1
     *   car:  photo e2,  art e2   -> e2
     *   tree: photo e3,  art e3   -> e3
     *   boat: photo e0,  art e0   -> e0
     *   fish: photo -e0, art -e1  -> (-r, -r, 0, 0)
     * Logits = 100 * dot. Images (embedding, true class) -> scores against cat dog car tree boat fish:
     *   x0 = e0,           cat : .71  0   0   0   1   -.71  boat above cat                   (1,0) -> 2 / 2
     *   x1 = (r, r, 0, 0), cat : 1   .71  0   0  .71  -1                                     (0,0) -> 1 / 1
     *   x2 = e2,           car : 0    0   1   0   0    0                                     (0,0) -> 1 / 1
     *   x3 = e2,           fish: 0    0   1   0   0    0    car above, cat dog tree boat tie (1,4) -> 6 / 2
     *   x4 = -e0,          fish: -.71 0   0   0  -1   .71                                    (0,0) -> 1 / 1
     *   x5 = e3,           dog : 0    0   0   1   0    0    tree above, 4 others tie         (1,4) -> 6 / 2
     * (fish's scores against e2 and e3 are -0.0: equal to 0.0.)
     * Pessimistic ranks 2,1,1,6,1,6: top1 = 3/6 = 0.5, top5 = 4/6; optimistic ranks 2,1,1,2,1,2: top1 0.5, top5 1.
     * Per class top-1: cat 1/2, dog 0/1, car 1/1, tree none, boat none, fish 1/2; mean over classes with images
     * (0.5 + 0 + 1 + 0.5)/4 = 0.5. Predictions: x0 boat, x1 cat, x2 car, x3 car (best other), x4 fish, x5 tree.
     */
    static StubEncoder encoder() {
        StubEncoder s = new StubEncoder(4, 100f, true);
        s.text("a photo of a cat.", 1, 0, 0, 0).text("art of the cat.", 0, 1, 0, 0);
        s.text("a photo of a dog.", 0, 1, 0, 0).text("art of the dog.", 0, 1, 0, 0);
        s.text("a photo of a car.", 0, 0, 1, 0).text("art of the car.", 0, 0, 1, 0);
        s.text("a photo of a tree.", 0, 0, 0, 1).text("art of the tree.", 0, 0, 0, 1);
        s.text("a photo of a boat.", 1, 0, 0, 0).text("art of the boat.", 1, 0, 0, 0);
        s.text("a photo of a fish.", -1, 0, 0, 0).text("art of the fish.", 0, -1, 0, 0);
        return s;
    }

    static final float[][] IMAGES = {
        {1, 0, 0, 0}, {R, R, 0, 0}, {0, 0, 1, 0}, {0, 0, 1, 0}, {-1, 0, 0, 0}, {0, 0, 0, 1},
    };
    static final int[] LABELS = {0, 0, 2, 5, 5, 1};

    @Test
    void classEmbeddingsAreTheNormalisedTemplateMeans() {
        StubEncoder enc = encoder();
        ZeroShotClassifier zs = new ZeroShotClassifier(enc, CLASSES, TEMPLATES, false);
        float[][] ce = zs.classEmbeddings();
        assertArrayEquals(new float[] {R, R, 0, 0}, ce[0], 1e-7f);
        assertArrayEquals(new float[] {0, 1, 0, 0}, ce[1], 1e-7f);
        assertArrayEquals(new float[] {-R, -R, 0, 0}, ce[5], 1e-7f);
        assertEquals(List.of(List.of("a photo of a cat.", "art of the cat.", "a photo of a dog.", "art of the dog.",
                "a photo of a car.", "art of the car.", "a photo of a tree.", "art of the tree.", "a photo of a boat.",
                "art of the boat.", "a photo of a fish.", "art of the fish.")), enc.textCalls);
        float[][] logits = zs.logits(new float[][] {IMAGES[1]});
        assertArrayEquals(new float[] {100, 100 * R, 0, 0, 100 * R, -100}, logits[0], 1e-4f);
    }

    @Test
    void topOneTopFivePessimistic() {
        ZeroShotResult r = ZeroShotEval.evaluate(encoder(), CLASSES, TEMPLATES, IMAGES, LABELS);
        assertArrayEquals(new int[] {2, 1, 1, 6, 1, 6}, r.ranks());
        assertEquals(6, r.n());
        assertEquals(0.5, r.top1());
        assertEquals(4.0 / 6, r.top5());
        assertEquals(2, r.tiedImages());
        assertArrayEquals(new double[] {0.5, 0, 1, Double.NaN, Double.NaN, 0.5}, r.perClassAccuracy());
        assertArrayEquals(new int[] {2, 1, 1, 0, 0, 2}, r.perClassCount());
        assertEquals(0.5, r.meanPerClassAccuracy());
        int[][] confusion = new int[6][6];
        confusion[0][4]++; // x0 cat -> boat
        confusion[0][0]++; // x1
        confusion[2][2]++; // x2
        confusion[5][2]++; // x3 fish -> car
        confusion[5][5]++; // x4
        confusion[1][3]++; // x5 dog -> tree
        assertArrayEquals(confusion, r.confusion());
    }

    @Test
    void topOneTopFiveOptimistic() {
        ZeroShotClassifier zs = new ZeroShotClassifier(encoder(), CLASSES, TEMPLATES, true);
        ZeroShotResult r = ZeroShotEval.evaluate(zs, IMAGES, LABELS, new int[] {1, 2, 5}, TieRule.OPTIMISTIC);
        assertArrayEquals(new int[] {2, 1, 1, 2, 1, 2}, r.ranks());
        assertEquals(0.5, r.top1());
        assertEquals(1.0, r.accuracyAt(2));
        assertEquals(1.0, r.top5());
    }

    @Test
    void jsonHasTheContractKeys() {
        Map<String, Object> j = ZeroShotEval.evaluate(encoder(), CLASSES, TEMPLATES, IMAGES, LABELS).toJson();
        assertEquals(0.5, j.get("top1"));
        assertEquals(4.0 / 6, j.get("top5"));
        assertEquals(6, j.get("n"));
        assertEquals(6, j.get("n_classes"));
        @SuppressWarnings("unchecked")
        Map<String, Object> pc = (Map<String, Object>) j.get("per_class_accuracy");
        assertEquals(0.5, pc.get("cat"));
        assertNull(pc.get("tree"));
        assertTrue(pc.containsKey("tree"));
        assertTrue(!j.containsKey("confusion"));
        assertTrue(ZeroShotEval.evaluate(encoder(), CLASSES, TEMPLATES, IMAGES, LABELS).toJson(true)
                .containsKey("confusion"));
    }

    @Test
    void imageFilesGoThroughTheEncoder() throws Exception {
        StubEncoder enc = encoder();
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < IMAGES.length; i++) {
            Path p = Path.of("img" + i + ".jpg");
            enc.image(p, IMAGES[i]);
            files.add(p);
        }
        ZeroShotResult r = ZeroShotEval.evaluateFiles(enc, CLASSES, TEMPLATES, files, LABELS);
        assertEquals(0.5, r.top1());
        assertEquals(4.0 / 6, r.top5());
    }

    @Test
    void manyClassesAndTemplatesAreEncodedInBoundedCallsWithTheSameEmbeddings() {
        StubEncoder enc = new StubEncoder(8, 1f, false);
        List<String> classes = new ArrayList<>();
        for (int c = 0; c < 30; c++) {
            classes.add("class" + c);
        }
        List<String> tpl = Templates.openaiImagenet();
        ZeroShotClassifier zs = new ZeroShotClassifier(enc, classes, tpl, false);
        assertTrue(enc.textCalls.size() > 1, "2400 texts in one call");
        for (List<String> call : enc.textCalls) {
            assertTrue(call.size() <= ZeroShotClassifier.TEXTS_PER_CALL);
        }
        float[][] ce = zs.classEmbeddings();
        for (int c = 0; c < classes.size(); c++) {
            float[] mean = new float[8];
            for (String t : tpl) {
                float[] e = enc.hashed(t.replace("{}", classes.get(c)));
                for (int d = 0; d < 8; d++) {
                    mean[d] += e[d];
                }
            }
            assertArrayEquals(ZeroShotClassifier.normalize(mean), ce[c], 0f);
        }
    }

    @Test
    void badLabelsAreRejected() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> ZeroShotEval.evaluate(encoder(), CLASSES, TEMPLATES, IMAGES, new int[] {0, 0, 2, 5, 5, 6}));
        assertTrue(e.getMessage().contains("image 5 has label 6"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ZeroShotEval.evaluate(encoder(), CLASSES, TEMPLATES, IMAGES, new int[] {0}));
        assertTrue(e.getMessage().contains("6 image embeddings but 1 labels"), e.getMessage());
    }
}
