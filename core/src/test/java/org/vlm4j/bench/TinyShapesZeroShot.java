package org.vlm4j.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.vlm4j.data.CaptionMix;
import org.vlm4j.data.ImageTextDataset;
import org.vlm4j.data.Shapes;
import org.vlm4j.engine.Vlm4jEngine;
import org.vlm4j.eval.DatasetEvals;
import org.vlm4j.eval.ZeroShotResult;
import org.vlm4j.model.contrastive.Clip;
import org.vlm4j.model.contrastive.ClipConfig;
import org.vlm4j.model.contrastive.ClipPresets;
import org.vlm4j.model.contrastive.SigLip;
import org.vlm4j.nn.TextConfig;
import org.vlm4j.nn.VisionConfig;
import org.vlm4j.text.BpeTrainer;
import org.vlm4j.text.ClipBpeTokenizer;
import org.vlm4j.train.StepMetrics;
import org.vlm4j.train.TrainOptions;
import org.vlm4j.train.Trainer;

/**
 * The recipe sweep behind {@code ClipTrainingTest} and {@code SigLipTrainingTest} (BENCHMARKS.md, "Shape in a ninth of the budget"): per
 * run, trains a tiny CLIP or SigLIP preset on tiny Shapes with the shared {@link Trainer}, as the test does, and
 * prints one {@code RUN} line: zero-shot top-1 over the colour x shape classes (size-ensemble prompts) on the val
 * scenes of one shape, on all val scenes and on the held-out compositions, the loss (mean of the first and last ten
 * steps) and the training seconds; then the confusion matrix of the first (rows: true class, colour-major). Not a test.
 *
 * <pre>
 * VLM4J_THREADS=1 mvn -B -q -pl core test-compile exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=org.vlm4j.bench.TinyShapesZeroShot -Dexec.arguments=m=siglip-tiny,lr=5e-4,steps=400,mix=shape:0.5
 * </pre>
 *
 * Keys (key=value, joined by commas; {@code exec.arguments}, not {@code exec.args}, which the shim build reads): m (preset, clip-tiny), c and s (colours and shapes, 3 and 3), n
 * (scenes, 2000), px (image side, 64), ctx (text context, the preset's), steps (320), b (batch, 32), lr (1e-3), wd
 * (0.1), seed (model seed, 5), mix (caption mix, short:0.75; "none" for the captions as written), data (a folder for
 * the generated scenes, /tmp/vlm4j-tiny-shapes), noneg (any value: no hard-negative captions). VLM4J_THREADS=1 matches the test suite.
 */
public final class TinyShapesZeroShot {
    private TinyShapesZeroShot() {}

    public static void main(String[] args) throws Exception {
        Vlm4jEngine.init();
        Map<String, String> p = new HashMap<>();
        for (String kv : args) {
            String[] a = kv.split("=", 2);
            p.put(a[0], a[1]);
        }
        String spec = String.join(",", args);
        int colors = Integer.parseInt(p.getOrDefault("c", "3"));
        int shapes = Integer.parseInt(p.getOrDefault("s", "3"));
        int count = Integer.parseInt(p.getOrDefault("n", "2000"));
        int px = Integer.parseInt(p.getOrDefault("px", "64"));
        int steps = Integer.parseInt(p.getOrDefault("steps", "320"));
        String mix = p.getOrDefault("mix", "short:0.75");
        Shapes.Config cfg = Shapes.Config.of(count, 11).withVocabulary(colors, shapes).withSize(px);
        Path data = Path.of(p.getOrDefault("data", "/tmp/vlm4j-tiny-shapes"))
                .resolve(colors + "x" + shapes + "-" + count + "-" + px);
        if (!Files.exists(data.resolve("heldout" + Shapes.ONE_SHAPE_SUFFIX + ".tsv"))) {
            Shapes.generate(data, cfg);
        }
        ClipBpeTokenizer tok = BpeTrainer.of(540).trainFiles(List.of(data.resolve("train.tsv"))).tokenizer();
        ClipConfig preset = ClipPresets.get(p.getOrDefault("m", "clip-tiny"), tok.vocabSize());
        ClipConfig c = resized(preset, px, Integer.parseInt(p.getOrDefault("ctx",
                Integer.toString(preset.text().contextLength()))));
        try (Clip model = SigLip.create(c, tok, Long.parseLong(p.getOrDefault("seed", "5")))) {
            TrainOptions o = new TrainOptions(steps, Integer.parseInt(p.getOrDefault("b", "32")),
                    Float.parseFloat(p.getOrDefault("lr", "1e-3")), Float.parseFloat(p.getOrDefault("wd", "0.1")), 16,
                    1f, 1, steps, 1, 5, 5, 4).withCaptionMix(mix.equals("none") ? null : CaptionMix.parse(mix));
            long t0 = System.nanoTime();
            Path train = p.containsKey("noneg") ? withoutNegatives(data) : data.resolve("train.tsv");
            Trainer.Result r = new Trainer(o, null).fit(model, ImageTextDataset.open(train.toString()),
                    Files.createTempDirectory("tiny-shapes-run"), false);
            double secs = (System.nanoTime() - t0) / 1e9;
            ZeroShotResult one = zeroShot(model, data.resolve("val" + Shapes.ONE_SHAPE_SUFFIX + ".tsv"), cfg);
            ZeroShotResult all = zeroShot(model, data.resolve("val.tsv"), cfg);
            ZeroShotResult held = zeroShot(model, data.resolve("heldout.tsv"), cfg);
            List<StepMetrics> h = r.history();
            System.out.printf("RUN %s: one-shape val %.3f (n %d), all val %.3f (n %d), heldout %.3f (n %d), loss %.3f -> %.3f,"
                    + " %.0f s%n", spec, one.top1(), one.n(), all.top1(), all.n(), held.top1(), held.n(), mean(h, 0),
                    mean(h, h.size() - 10), secs);
            System.out.println("  confusion (one-shape val) " + java.util.Arrays.deepToString(one.confusion()));
        }
    }

    /** The train table with its hard-negative columns blanked (noneg: no NegCLIP candidates). */
    static Path withoutNegatives(Path data) throws java.io.IOException {
        List<String> lines = Files.readAllLines(data.resolve("train.tsv"));
        List<String> header = List.of(lines.get(0).split("\t", -1));
        List<String> out = new java.util.ArrayList<>();
        out.add(lines.get(0));
        for (String l : lines.subList(1, lines.size())) {
            String[] f = l.split("\t", -1);
            for (String col : List.of("negative", "short_negative")) {
                f[header.indexOf(col)] = "";
            }
            out.add(String.join("\t", f));
        }
        Path file = data.resolve("train_noneg.tsv");
        Files.write(file, out);
        return file;
    }

    static ZeroShotResult zeroShot(Clip model, Path table, Shapes.Config cfg) throws Exception {
        return DatasetEvals.zeroShot(model, ImageTextDataset.open(table.toString()), cfg.classNames(),
                List.of("a large {}", "a small {}"), DatasetEvals.format("{color} {shape}"));
    }

    static double mean(List<StepMetrics> h, int from) {
        return h.subList(from, from + 10).stream().mapToDouble(StepMetrics::loss).average().orElseThrow();
    }

    /** The preset at another image side and text context (everything else as it is). */
    static ClipConfig resized(ClipConfig b, int px, int ctx) {
        VisionConfig v = b.vision();
        VisionConfig v2 = new VisionConfig(px, v.patchSize(), v.width(), v.layers(), v.heads(), v.mlpHidden(),
                v.activation(), v.lnEps(), v.classToken(), v.patchBias(), v.lnPre(), v.pool(), v.outputDim(),
                v.projBias(), v.qkNorm(), v.layerScaleInit(), v.convStem());
        TextConfig t = b.text();
        TextConfig t2 = new TextConfig(t.vocabSize(), ctx, t.width(), t.layers(), t.heads(), t.mlpHidden(),
                t.activation(), t.lnEps(), t.causal(), t.pool(), t.outputDim(), t.projBias(), t.qkNorm(),
                t.layerScaleInit());
        return new ClipConfig(b.family(), b.embedDim(), v2, t2, b.logitScaleInit(), b.logitBiasInit(),
                ClipConfig.clipPreprocess(v2));
    }
}
