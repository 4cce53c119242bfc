package org.vlm4j.model.generative;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.vlm4j.data.ImageTextDataset;
import org.vlm4j.data.Shapes;
import org.vlm4j.eval.ShapesJudge;
import org.vlm4j.io.ModelDir;
import org.vlm4j.model.generative.FusionConfig;
import org.vlm4j.model.generative.FusionModel;
import org.vlm4j.model.generative.VqVae;
import org.vlm4j.model.generative.VqVaePresets;
import org.vlm4j.nn.GenerationConfig;
import org.vlm4j.text.BpeTrainer;
import org.vlm4j.text.ClipBpeTokenizer;
import org.vlm4j.train.TrainOptions;
import org.vlm4j.train.Trainer;

/**
 * How FusionShapesTest's recipe draws "a red circle", for BENCHMARKS.md (a bench main, not a test). Modes:
 * <pre>
 * P="java -cp core/target/classes:core/target/test-classes:cli/target/vlm4j-cli.jar org.vlm4j.model.generative.FusionDrawProbe"
 * VLM4J_THREADS=1 $P train DIR VQ_STEPS STEPS [balanced|plain] [SEED_OFFSET]  # FusionShapesTest's data and training
 * VLM4J_THREADS=1 $P vq DIR STEPS LR          # another VQ-VAE on DIR's data, judged on its val reconstructions
 * VLM4J_THREADS=1 $P draw DIR T:K:P:G:N:SEED ...  # N pictures of "a red circle" per setting (temperature, top-k,
 *                                                 # top-p, guidance), judged; MOSAIC=prefix writes them as PNGs
 * </pre>
 * {@code balanced} tops up the held-out compositions to the seen ones' count ({@link #balanced}).
 */
public final class FusionDrawProbe {
    public static void main(String[] a) throws Exception {
        Path dir = Path.of(a[1]);
        if (a[0].equals("vq")) { // vq DIR STEPS LR: a VQ-VAE on DIR/shapes, judged on its val reconstructions
            int vqSteps = Integer.parseInt(a[2]);
            Path data = dir.resolve("shapes");
            try (VqVae vq = new VqVae(VqVaePresets.tiny(), 1)) {
                long t0 = System.nanoTime();
                new Trainer(new TrainOptions(vqSteps, 32, Float.parseFloat(a[3]), 0f, vqSteps / 20, 1f, 1, vqSteps, 1, 1, 5, 4), null)
                        .fit(vq, ImageTextDataset.open(data.resolve("train.tsv").toString()), dir.resolve("vq" + vqSteps), false);
                FusionShapesTest.Val v = FusionShapesTest.load(data.resolve("val-classes.tsv"), vq.preprocessor());
                int[] recon = FusionShapesTest.judged(vq.detokenize(vq.tokenize(v.pixels(), v.n(), 32, 32)), v);
                System.out.printf("vq %d steps (%.0f s): recon colour %d both %d of %d%n", vqSteps, (System.nanoTime() - t0) / 1e9, recon[0], recon[1], v.n());
                ModelDir.save(vq, dir.resolve("vqmodel" + vqSteps));
            }
            return;
        }
        if (a[0].equals("train")) {
            int vqSteps = Integer.parseInt(a[2]);
            int steps = Integer.parseInt(a[3]);
            Path data = dir.resolve("shapes");
            int off = a.length > 5 ? Integer.parseInt(a[5]) : 0;
            Shapes.Config cfg = Shapes.Config.of(2000, 7 + off).withSize(32).withVocabulary(3, 3);
            Shapes.generate(data, cfg);
            Path table = classCaptions(data, List.of("train.tsv", "heldout.tsv"), "all.tsv");
            if (a.length > 4 && a[4].equals("balanced")) {
                table = balanced(data, cfg, table, "balanced.tsv");
            }
            classCaptions(data, List.of("val.tsv"), "val-classes.tsv");
            ClipBpeTokenizer tok = BpeTrainer.of(540).trainFiles(List.of(table)).tokenizer();
            try (VqVae vq = new VqVae(VqVaePresets.tiny(), 1 + off);
                 FusionModel model = new FusionModel(FusionConfig.chameleon(tok.vocabSize()), tok, 2 + off)) {
                long t0 = System.nanoTime();
                new Trainer(new TrainOptions(vqSteps, 32, 2e-3f, 0f, vqSteps / 20, 1f, 1, vqSteps, 1, 1, 5, 4), null)
                        .fit(vq, ImageTextDataset.open(data.resolve("train.tsv").toString()), dir.resolve("vq"), false);
                long t1 = System.nanoTime();
                ModelDir.save(vq, dir.resolve("vqmodel"));
                model.setImageTokenizer(vq);
                new Trainer(new TrainOptions(steps, 32, 2e-3f, 0.1f, steps / 20, 1f, 1, steps, 1, 3, 5, 4), null)
                        .fit(model, ImageTextDataset.open(table.toString()), dir.resolve("run"), false);
                long t2 = System.nanoTime();
                ModelDir.save(model, dir.resolve("fusion"));
                System.out.printf("vq %.0f s fusion %.0f s%n", (t1 - t0) / 1e9, (t2 - t1) / 1e9);
            }
            return;
        }
        try (FusionModel model = (FusionModel) ModelDir.load(dir.resolve("fusion"))) {
            for (int i = 2; i < a.length; i++) {
                String[] s = a[i].split(":"); // temperature:topk:topp:guidance:samples:seed
                float t = Float.parseFloat(s[0]);
                int k = Integer.parseInt(s[1]);
                float p = Float.parseFloat(s[2]);
                float g = Float.parseFloat(s[3]);
                int n = Integer.parseInt(s[4]);
                long seed = s.length > 5 ? Long.parseLong(s[5]) : 0;
                List<String> prompts = new ArrayList<>();
                for (int j = 0; j < n; j++) {
                    prompts.add(a[0].equals("draw") ? "a red circle" : a[0]);
                }
                long t0 = System.nanoTime();
                float[][] drawn = model.generateImages(prompts, GenerationConfig.sampling(64, t, k, p, java.util.Set.of(), seed), g);
                int colour = 0, both = 0;
                StringBuilder labels = new StringBuilder();
                for (float[] img : drawn) {
                    ShapesJudge.Verdict v = ShapesJudge.judge(img);
                    colour += v.colour() == 0 ? 1 : 0;
                    both += v.colour() == 0 && v.shape() == 0 ? 1 : 0;
                    labels.append(v.label().replace(" ", "-")).append(' ');
                }
                if (System.getenv("MOSAIC") != null) { // 8 per row, 4x upscaled
                    int cols = 8, rowsN = (n + 7) / 8, up = 4;
                    java.awt.image.BufferedImage m = new java.awt.image.BufferedImage(cols * 32 * up, rowsN * 32 * up, java.awt.image.BufferedImage.TYPE_INT_RGB);
                    for (int q = 0; q < n; q++) {
                        for (int y = 0; y < 32 * up; y++) {
                            for (int x = 0; x < 32 * up; x++) {
                                int pp = (y / up) * 32 + x / up;
                                int r = (int) (drawn[q][pp] * 255), gg = (int) (drawn[q][1024 + pp] * 255), bb = (int) (drawn[q][2048 + pp] * 255);
                                m.setRGB((q % cols) * 32 * up + x, (q / cols) * 32 * up + y, (Math.max(0, Math.min(255, r)) << 16) | (Math.max(0, Math.min(255, gg)) << 8) | Math.max(0, Math.min(255, bb)));
                            }
                        }
                    }
                    javax.imageio.ImageIO.write(m, "png", new java.io.File(System.getenv("MOSAIC") + i + ".png"));
                }
                System.out.printf("%s: red %d both %d of %d (%.0f s) %s%n", a[i], colour, both, n,
                        (System.nanoTime() - t0) / 1e9, labels);
            }
        }
    }

    /**
     * The table with more scenes of one large shape of the held-out compositions (red circle, green square, blue
     * triangle), rendered after the generated held-out split (images/extra/) until each has as many scenes as the
     * seen compositions have on average. Shapes keeps these out of its train split, so train + heldout shows each
     * about a quarter as often as a seen one (15 red circles against ~65 of each other class): the model barely
     * learnt to draw one. Returns the new table's path.
     */
    static Path balanced(Path data, Shapes.Config cfg, Path table, String name) throws IOException {
        List<String> lines = new ArrayList<>(Files.readAllLines(table));
        java.util.Map<String, Integer> count = new java.util.HashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split("\t", -1);
            count.merge(f[2] + " " + f[3], 1, Integer::sum);
        }
        int seen = 0;
        int seenClasses = 0;
        for (var e : count.entrySet()) {
            String[] cs = e.getKey().split(" ");
            if (!cfg.isHeldOut(cs[0], cs[1])) {
                seen += e.getValue();
                seenClasses++;
            }
        }
        int per = Math.round((float) seen / Math.max(1, seenClasses));
        Files.createDirectories(data.resolve("images/extra"));
        for (int k = cfg.heldoutCount(); k < cfg.heldoutCount() + 100 * per * cfg.colors(); k++) {
            Shapes.Scene sc = Shapes.scene(cfg, Shapes.Split.HELDOUT, k);
            java.util.Map<String, String> f = sc.fields();
            String cls = f.get("color") + " " + f.get("shape");
            if (!f.get("count").equals("1") || !f.get("size").equals("large") || count.getOrDefault(cls, 0) >= per) {
                continue;
            }
            String png = "images/extra/" + k + ".png";
            Files.write(data.resolve(png), Shapes.png(sc.image()));
            lines.add(png + "\t" + "a " + cls + "\t" + f.get("color") + "\t" + f.get("shape"));
            count.merge(cls, 1, Integer::sum);
        }
        Path file = data.resolve(name);
        Files.write(file, lines);
        return file;
    }

    static Path classCaptions(Path data, List<String> splits, String name) throws Exception {
        List<String> out = new ArrayList<>();
        out.add("image\ttext\tcolor\tshape");
        for (String split : splits) {
            List<String> lines = Files.readAllLines(data.resolve(split));
            List<String> header = List.of(lines.get(0).split("\t", -1));
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.split("\t", -1);
                if (!f[header.indexOf("count")].equals("1") || !f[header.indexOf("size")].equals("large")) {
                    continue;
                }
                String colour = f[header.indexOf("color")];
                String shape = f[header.indexOf("shape")];
                out.add(f[0] + "\t" + "a " + colour + " " + shape + "\t" + colour + "\t" + shape);
            }
        }
        Path file = data.resolve(name);
        Files.write(file, out);
        return file;
    }
}
