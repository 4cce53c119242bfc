package org.vlm4j.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.vlm4j.data.ImageTextDataset;
import org.vlm4j.data.Shapes;
import org.vlm4j.engine.Vlm4jEngine;
import org.vlm4j.eval.DatasetEvals;
import org.vlm4j.eval.ZeroShotResult;
import org.vlm4j.io.ModelDir;
import org.vlm4j.model.contrastive.Clip;
import org.vlm4j.model.contrastive.ClipConfig;
import org.vlm4j.model.contrastive.SigLip;
import org.vlm4j.nn.Activation;
import org.vlm4j.nn.TextConfig;
import org.vlm4j.nn.VisionConfig;
import org.vlm4j.text.BpeTrainer;
import org.vlm4j.text.ClipBpeTokenizer;
import org.vlm4j.train.TrainListener;
import org.vlm4j.train.TrainOptions;
import org.vlm4j.train.Trainer;

/**
 * One run of the Shapes sweep in BENCHMARKS.md ("Why the quickstart used to miss its accuracy bar"): trains a tiny CLIP
 * or SigLIP variant on a Shapes folder written by {@code vlm4j data shapes} with the shared {@link Trainer}, prints
 * one line of final loss, throughput and zero-shot top-1 on val/heldout (size ensemble and "a large {}"), and saves
 * the model (for the linear probes: {@code vlm4j eval linear-probe --label '{shape}'}). Not a test.
 *
 * <pre>
 * mvn -B -q -pl core test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=org.vlm4j.bench.ShapesSweep \
 *   -Dexec.arguments=data=DIR,steps=600,stem=32-64-128
 * </pre>
 *
 * Keys (key=value): data (the Shapes folder), train (table in it, default train.tsv), steps (300), batch (64),
 * lr (2e-3), wd (0.1), patch (8), img (64), width (128), depth (3), tdepth (3), pool (tok), stem (channels joined by
 * '-', default none), scale (initial logit scale, 1/0.07), siglip (any value: the sigmoid loss), save (model folder).
 */
public final class ShapesSweep {
    public static void main(String[] args) throws Exception {
        Map<String, String> m = new HashMap<>();
        for (String a : args) {
            String[] kv = a.split("=", 2);
            m.put(kv[0], kv[1]);
        }
        int steps = Integer.parseInt(m.getOrDefault("steps", "300"));
        int batch = Integer.parseInt(m.getOrDefault("batch", "64"));
        int width = Integer.parseInt(m.getOrDefault("width", "128"));
        boolean siglip = m.containsKey("siglip");
        Vlm4jEngine.init();
        Path dir = Path.of(m.get("data"));
        Path train = dir.resolve(m.getOrDefault("train", "train.tsv"));
        ClipBpeTokenizer tok = BpeTrainer.of(1000).trainFiles(List.of(train)).tokenizer();
        VisionConfig v = new VisionConfig(Integer.parseInt(m.getOrDefault("img", "64")),
                Integer.parseInt(m.getOrDefault("patch", "8")), width, Integer.parseInt(m.getOrDefault("depth", "3")),
                4, 4 * width, Activation.GELU, 1e-5f, true, false, true, m.getOrDefault("pool", "tok"), width, false,
                false, 0f);
        if (m.containsKey("stem")) {
            v = v.withConvStem(Arrays.stream(m.get("stem").split("-")).map(Integer::valueOf).toList());
        }
        TextConfig t = new TextConfig(tok.vocabSize(), 32, width, Integer.parseInt(m.getOrDefault("tdepth", "3")), 4,
                4 * width, Activation.GELU, 1e-5f, true, "argmax", width, false, false, 0f);
        float scale = (float) Math.log(Double.parseDouble(m.getOrDefault("scale", siglip ? "10" : "14.2857")));
        ClipConfig config = new ClipConfig(siglip ? SigLip.FAMILY : Clip.FAMILY, width, v, t, scale,
                siglip ? -10f : null, ClipConfig.clipPreprocess(v));
        TrainOptions opt = new TrainOptions(steps, batch, Float.parseFloat(m.getOrDefault("lr", "2e-3")),
                Float.parseFloat(m.getOrDefault("wd", "0.1")), Math.max(1, steps / 10), 1f, 1, steps, 1, 0, 5, 4);
        Path run = Files.createTempDirectory("shapes-sweep");
        try (Clip clip = SigLip.create(config, tok, 0)) {
            Trainer.Result res = new Trainer(opt, TrainListener.NONE).fit(clip, ImageTextDataset.open(train.toString()),
                    run, false);
            if (m.containsKey("save")) {
                ModelDir.save(clip, Path.of(m.get("save")));
            }
            List<String> classes = Shapes.Config.of(1, 0).classNames();
            double[] top1 = new double[4];
            int i = 0;
            for (List<String> tpl : List.of(List.of("a large {}", "a small {}"), List.of("a large {}"))) {
                for (String split : List.of("val.tsv", "heldout.tsv")) {
                    ZeroShotResult z = DatasetEvals.zeroShot(clip, ImageTextDataset.open(dir.resolve(split).toString()),
                            classes, tpl, DatasetEvals.format("{color} {shape}"));
                    top1[i++] = z.top1();
                }
            }
            System.out.printf("%s | loss %.3f, %.0f images/s | size ensemble: val %.3f held %.3f | 'a large {}': val"
                    + " %.3f held %.3f%n", String.join(" ", args), res.lastLoss(), res.imagesPerSecond(), top1[0],
                    top1[1], top1[2], top1[3]);
        }
    }
}
