package org.vlm4j.model.masking;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.vlm4j.data.ImageTextDataset;
import org.vlm4j.data.Shapes;
import org.vlm4j.image.ImageWorkers;
import org.vlm4j.io.ModelDir;
import org.vlm4j.model.ImageTextScorer;
import org.vlm4j.model.MaskFiller;
import org.vlm4j.model.VlmModel;
import org.vlm4j.nn.Activation;
import org.vlm4j.nn.VisionConfig;
import org.vlm4j.text.BpeTrainer;
import org.vlm4j.text.ClipBpeTokenizer;
import org.vlm4j.train.StepMetrics;
import org.vlm4j.train.TrainOptions;
import org.vlm4j.train.Trainer;

/**
 * The acceptance checks every masking family's end-to-end test runs, on tiny Shapes data (3 colours x 3 shapes,
 * 32 px; each shape is seen in two colours, each colour with two shapes): training through the one trainer, every
 * loss term falling, MLM filling the masked first colour word of held-out (val) images, the image mattering (the
 * same masked text over an image of the same shape in another colour gives that colour), ITM ranking the true
 * caption above the caption with the first colour swapped, and save / reload giving identical outputs.
 */
final class MaskingFixtures {
    static final int COLORS = 3;
    static final int SHAPES = 3;

    private MaskingFixtures() {}

    /** One row of the val table. */
    record Entry(Path image, String text, String color, String shape, String size) {}

    record Data(Path dir, ClipBpeTokenizer tokenizer, List<Entry> val) {
        ImageTextDataset train() throws IOException {
            return ImageTextDataset.open(dir.resolve("train.tsv").toString());
        }
    }

    static Data data(Path tmp) throws IOException {
        Path dir = tmp.resolve("shapes");
        Shapes.generate(dir, Shapes.Config.of(2000, 21).withVocabulary(COLORS, SHAPES).withSize(32));
        ClipBpeTokenizer tok = BpeTrainer.of(560).trainFiles(List.of(dir.resolve("train.tsv"))).tokenizer();
        List<String> lines = Files.readAllLines(dir.resolve("val.tsv"));
        List<String> header = List.of(lines.get(0).split("\t", -1));
        List<Entry> val = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split("\t", -1);
            val.add(new Entry(dir.resolve(f[header.indexOf("image")]), f[header.indexOf("text")],
                    f[header.indexOf("color")], f[header.indexOf("shape")], f[header.indexOf("size")]));
        }
        return new Data(dir, tok, val);
    }

    /** The test-sized image stem: 32 px, conv stem 16-32-64 to 4x4 patch tokens of width 64, one ViT layer. */
    static VisionConfig stem() {
        return MaskingPresets.stem(32, 8, 64, 1, List.of(16, 32, 64));
    }

    static VisionConfig stemWithClassToken(int layers) {
        return new VisionConfig(32, 8, 64, layers, 2, 256, Activation.GELU, 1e-5f, true, false, true, "tok", 0, false,
                false, 0f, List.of(16, 32, 64));
    }

    static Trainer.Result train(org.vlm4j.train.Pretrainable model, Data d, Path run, int steps) throws Exception {
        TrainOptions o = new TrainOptions(steps, 32, 2e-3f, 0.05f, steps / 10, 1f, 1, steps, 1, 3, 5, 4);
        return new Trainer(o, null).fit(model, d.train(), run, false);
    }

    /** Mean of a loss term (or of the total, term null) over steps [from, to). */
    static double mean(List<StepMetrics> h, String term, int from, int to) {
        return h.subList(from, to).stream().mapToDouble(m -> term == null ? m.loss() : m.losses().get(term))
                .average().orElseThrow();
    }

    /** First-10 and last-10 step means of every term and the total. */
    static String describe(List<StepMetrics> h) {
        int n = h.size();
        StringBuilder sb = new StringBuilder();
        List<String> terms = new ArrayList<>(h.get(0).losses().keySet());
        terms.add(null);
        for (String term : terms) {
            sb.append(String.format("%s %.3f -> %.3f; ", term == null ? "total" : term, mean(h, term, 0, 10),
                    mean(h, term, n - 10, n)));
        }
        return sb.toString();
    }

    /** Every term and the total: the mean of the last 10 steps below that of the first 10. */
    static String assertEveryTermFalls(List<StepMetrics> h, double factor) {
        int n = h.size();
        StringBuilder sb = new StringBuilder();
        List<String> terms = new ArrayList<>(h.get(0).losses().keySet());
        terms.add(null);
        for (String term : terms) {
            double first = mean(h, term, 0, 10);
            double last = mean(h, term, n - 10, n);
            sb.append(String.format("%s %.3f -> %.3f; ", term == null ? "total" : term, first, last));
            assertTrue(last < factor * first, (term == null ? "total" : term) + " loss " + first + " -> " + last);
        }
        return sb.toString();
    }

    static float[] pixels(MaskFiller model, List<Path> images) throws IOException {
        return model.preprocessor().preprocessBatch(images, ImageWorkers.shared());
    }

    static String maskFirstColour(String text, String color) {
        int at = text.indexOf(" " + color + " ");
        return text.substring(0, at + 1) + "[MASK]" + text.substring(at + 1 + color.length());
    }

    static String top(MaskFiller model, float[] px, int size, String text) {
        return model.fillMask(px, size, size, text, 1).get(0).get(0).token();
    }

    /** Share of val images whose masked first colour the model fills right. */
    static double fillAccuracy(MaskFiller model, Data d, int size, List<String> wrong) throws IOException {
        int right = 0;
        float[] all = pixels(model, d.val().stream().map(Entry::image).toList());
        int per = 3 * size * size;
        for (int i = 0; i < d.val().size(); i++) {
            Entry e = d.val().get(i);
            float[] px = java.util.Arrays.copyOfRange(all, i * per, (i + 1) * per);
            String got = top(model, px, size, maskFirstColour(e.text(), e.color()));
            if (got.equals(e.color())) {
                right++;
            } else if (wrong.size() < 5) {
                wrong.add(e.text() + " -> " + got);
            }
        }
        return right / (double) d.val().size();
    }

    /**
     * The image matters: "a SIZE [MASK] SHAPE" of entry i over the image of another val entry with the same first
     * shape and size but another colour must give that entry's colour. Share right over all such pairs (one partner
     * per entry).
     */
    static double otherImageAccuracy(MaskFiller model, Data d, int size) throws IOException {
        float[] all = pixels(model, d.val().stream().map(Entry::image).toList());
        int per = 3 * size * size;
        int right = 0;
        int n = 0;
        for (int i = 0; i < d.val().size(); i++) {
            Entry e = d.val().get(i);
            for (int k = 1; k < d.val().size(); k++) {
                Entry o = d.val().get((i + k) % d.val().size());
                if (o.shape().equals(e.shape()) && o.size().equals(e.size()) && !o.color().equals(e.color())) {
                    int idx = (i + k) % d.val().size();
                    float[] px = java.util.Arrays.copyOfRange(all, idx * per, (idx + 1) * per);
                    String text = "a " + e.size() + " [MASK] " + e.shape();
                    right += top(model, px, size, text).equals(o.color()) ? 1 : 0;
                    n++;
                    break;
                }
            }
        }
        assertTrue(n > 50, "too few pairs: " + n);
        return right / (double) n;
    }

    /** Share of val images whose true caption scores above the caption with its first colour swapped. */
    static double itmAccuracy(ImageTextScorer model, Data d, int size) throws IOException {
        List<Path> images = d.val().stream().map(Entry::image).toList();
        float[] all = model.preprocessor().preprocessBatch(images, ImageWorkers.shared());
        int per = 3 * size * size;
        int right = 0;
        for (int i = 0; i < d.val().size(); i++) {
            Entry e = d.val().get(i);
            String other = Shapes.COLORS.get((Shapes.COLORS.indexOf(e.color()) + 1 + i % (COLORS - 1)) % COLORS);
            String swapped = e.text().replaceFirst(" " + e.color() + " ", " " + other + " ");
            float[] px = java.util.Arrays.copyOfRange(all, i * per, (i + 1) * per);
            float[][] s = model.score(px, 1, size, size, List.of(e.text(), swapped));
            right += s[0][0] > s[0][1] ? 1 : 0;
        }
        return right / (double) d.val().size();
    }

    /** Save, reload: the same scores and fill-mask probabilities, bit for bit. */
    static void assertReloadsIdentically(VlmModel model, Data d, Path dir, int size) throws IOException {
        ModelDir.save(model, dir);
        List<Path> images = d.val().subList(0, 4).stream().map(Entry::image).toList();
        List<String> texts = List.of(d.val().get(0).text(), d.val().get(1).text());
        String masked = maskFirstColour(d.val().get(0).text(), d.val().get(0).color());
        try (VlmModel loaded = ModelDir.load(dir)) {
            assertEquals(model.getClass(), loaded.getClass());
            ImageTextScorer a = (ImageTextScorer) model;
            ImageTextScorer b = (ImageTextScorer) loaded;
            float[] px = a.preprocessor().preprocessBatch(images, ImageWorkers.shared());
            float[][] sa = a.score(px, 4, size, size, texts);
            float[][] sb = b.score(px, 4, size, size, texts);
            for (int i = 0; i < 4; i++) {
                assertArrayEquals(sa[i], sb[i], "scores of image " + i);
            }
            float[] one = java.util.Arrays.copyOf(px, 3 * size * size);
            List<List<MaskFiller.Fill>> fa = ((MaskFiller) model).fillMask(one, size, size, masked, 3);
            List<List<MaskFiller.Fill>> fb = ((MaskFiller) loaded).fillMask(one, size, size, masked, 3);
            assertEquals(fa, fb);
            if (model instanceof org.vlm4j.model.ImageTextEncoder ea) {
                org.vlm4j.model.ImageTextEncoder eb = (org.vlm4j.model.ImageTextEncoder) loaded;
                assertArrayEquals(ea.encodeTexts(texts)[1], eb.encodeTexts(texts)[1], "text embedding");
                assertArrayEquals(ea.encodePixels(px, 4, size, size)[3], eb.encodePixels(px, 4, size, size)[3],
                        "image embedding");
            }
            Map<String, ?> cfgA = ModelDir.JSON.convertValue(model.config(), Map.class);
            Map<String, ?> cfgB = ModelDir.JSON.convertValue(loaded.config(), Map.class);
            assertEquals(cfgA, cfgB);
        }
    }
}
