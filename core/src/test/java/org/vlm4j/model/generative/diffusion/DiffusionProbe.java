package org.vlm4j.model.generative.diffusion;

import java.nio.file.Path;
import java.nio.file.Files;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.vlm4j.data.CaptionMix;
import org.vlm4j.data.ImageTextDataset;
import org.vlm4j.data.Shapes;
import org.vlm4j.eval.DominantColor;
import org.vlm4j.image.ImagePreprocessor;
import org.vlm4j.nn.Activation;
import org.vlm4j.nn.TextConfig;
import org.vlm4j.text.BpeTrainer;
import org.vlm4j.text.ClipBpeTokenizer;
import org.vlm4j.train.StepMetrics;
import org.vlm4j.train.TrainOptions;
import org.vlm4j.train.Trainer;

/** Exploration harness (not a test): trains a small diffusion model and prints colour histograms of samples. */
public final class DiffusionProbe {
    public static void main(String[] a) throws Exception {
        if (a[0].equals("load")) {
            try (DiffusionModel model = (DiffusionModel) org.vlm4j.io.ModelDir.load(Path.of("/tmp/diff-model"))) {
                sampleAll(model);
            }
            return;
        }
        int steps = Integer.parseInt(a[0]);
        int width = Integer.parseInt(a[1]);
        int layers = Integer.parseInt(a[2]);
        int patch = Integer.parseInt(a[3]);
        int T = Integer.parseInt(a[4]);
        float lr = Float.parseFloat(a[5]);
        Path tmp = Files.createTempDirectory("dprobe");
        Path data = tmp.resolve("shapes");
        Shapes.Config cfg = Shapes.Config.of(Integer.getInteger("count", 1000), 21).withSize(16).withVocabulary(4, 3);
        Shapes.generate(data, cfg);
        List<String> lines = Files.readAllLines(data.resolve("train.tsv"));
        List<String> single = new java.util.ArrayList<>(List.of(lines.get(0)));
        for (String l : lines.subList(1, lines.size())) {
            if (l.split("\t")[5].equals("1") || !System.getProperty("single", "true").equals("true")) {
                single.add(l);
            }
        }
        Files.write(data.resolve("single.tsv"), single);
        System.out.println("rows " + (single.size() - 1));
        ClipBpeTokenizer tok = BpeTrainer.of(540).trainFiles(List.of(data.resolve("train.tsv"))).tokenizer();
        TextConfig t = new TextConfig(tok.vocabSize(), 12, 64, 1, 2, 128, Activation.GELU, 1e-5f, true, "argmax", 0,
                false, false, 0f);
        float[] half = {0.5f, 0.5f, 0.5f};
        var pre = new ImagePreprocessor.PreprocessConfig(16, half, half, "bilinear", "squash", false);
        DiffusionConfig c = new DiffusionConfig(DiffusionModel.FAMILY, 16, patch, width, layers, 2, 4 * width, t, T,
                "cosine", 0.1f, pre);
        long t0 = System.nanoTime();
        try (DiffusionModel model = DiffusionModel.create(c, tok, 3)) {
            TrainOptions o = new TrainOptions(steps, 32, lr, 0.0f, 20, 1f, 1, steps, 1, 3, 5, 4)
                    .withCaptionMix(CaptionMix.parse("short:0.5"));
            Trainer.Result r = new Trainer(o, null).fit(model,
                    ImageTextDataset.open(data.resolve("single.tsv").toString()), tmp.resolve("run"), false);
            double first = r.history().subList(0, 10).stream().mapToDouble(StepMetrics::loss).average().orElseThrow();
            double last = r.history().subList(steps - 20, steps).stream().mapToDouble(StepMetrics::loss).average()
                    .orElseThrow();
            float[] real = new ImagePreprocessor(pre).preprocessBatch(List.of(data.resolve("images/train/000000.png"),
                    data.resolve("images/train/000001.png"), data.resolve("images/train/000002.png"),
                    data.resolve("images/train/000003.png")), 1);
            var tr = Files.readAllLines(data.resolve("train.tsv"));
            System.out.println(tr.subList(1, 5));
            List<String> cls = List.of("a red circle", "a green circle", "a blue circle", "a yellow circle",
                    "a red square", "a green square", "a blue square", "a yellow square");
            float[][] sc = model.score(real, 4, 16, 16, cls);
            for (float[] row : sc) {
                System.out.println(java.util.Arrays.toString(row));
            }
            org.vlm4j.io.ModelDir.save(model, Path.of("/tmp/diff-model"));
            System.out.printf("train %.1f s loss %.4f -> %.4f%n", (System.nanoTime() - t0) / 1e9, first, last);
            sampleAll(model);
        }
    }

    static void sampleAll(DiffusionModel model) throws Exception {
        {
            for (String color : List.of("red", "blue")) {
                List<String> prompts = Collections.nCopies(24, "a " + color + " circle");
                for (float w : new float[] {0f, 1f, 3f}) {
                    long s0 = System.nanoTime();
                    hist(color + " ddim w=" + w, model.sample(prompts, SamplingConfig.ddim(50, w, 7)), s0);
                }
                long s0 = System.nanoTime();
                float[][] imgs = model.sample(prompts, SamplingConfig.ddpm(3f, 7));
                hist(color + " ddpm w=3", imgs, s0);
                java.awt.image.BufferedImage grid = new java.awt.image.BufferedImage(16 * 8, 16 * 3,
                        java.awt.image.BufferedImage.TYPE_3BYTE_BGR);
                for (int i = 0; i < 24; i++) {
                    java.awt.image.BufferedImage one = org.vlm4j.image.RgbImages.fromUnitChw(imgs[i], 16, 16);
                    grid.getGraphics().drawImage(one, (i % 8) * 16, (i / 8) * 16, null);
                }
                javax.imageio.ImageIO.write(grid, "png", new java.io.File("/tmp/diff-" + color + ".png"));
            }
        }
    }

    static void hist(String name, float[][] images, long s0) {
        Map<String, Integer> h = new TreeMap<>();
        for (float[] img : images) {
            h.merge(String.valueOf(DominantColor.of(img, 16, 16, 4)), 1, Integer::sum);
        }
        System.out.printf("%-16s %s (%.1f s)%n", name, h, (System.nanoTime() - s0) / 1e9);
    }
}
