package org.vlm4j.cli;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import org.vlm4j.engine.Vlm4jEngine;
import org.vlm4j.eval.ZeroShotClassifier;
import org.vlm4j.io.ModelDir;
import org.vlm4j.model.VlmModel;
import org.vlm4j.model.contrastive.Clip;
import org.vlm4j.model.contrastive.ClipPresets;
import org.vlm4j.text.ClipBpeTokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The README's main job on its embedded default: builds a CLIP model, writes a model directory, draws a few
 * pictures, and runs the whole inference path on them (decode, preprocess, embed, zero-shot classify), timing it.
 * Training arrives with `vlm4j train`; until then the model is untrained and its labels are chance.
 */
@Command(name = "quickstart", mixinStandardHelpOptions = true,
        description = "Build a small CLIP model, save it, and run image embedding and zero-shot classification end to end.")
final class QuickstartCommand implements Callable<Integer> {
    private static final String[] COLOURS = {"red", "green", "blue", "yellow"};
    private static final Color[] RGB = {Color.RED, Color.GREEN, Color.BLUE, Color.YELLOW};

    @Option(names = "--out", defaultValue = "vlm4j-quickstart", description = "working directory (default: ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--preset", defaultValue = "small", description = "architecture: vit-b-32, small, tiny (default: ${DEFAULT-VALUE})")
    String preset;

    @Option(names = "--images", defaultValue = "64", description = "pictures to draw and embed (default: ${DEFAULT-VALUE})")
    int count;

    @Mixin
    JsonOption json;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        var info = Vlm4jEngine.init();
        var o = spec.commandLine().getOut();
        Path modelDir = out.resolve("model");
        Path imageDir = out.resolve("images");
        Files.createDirectories(imageDir);
        List<Path> images = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Path p = imageDir.resolve(String.format("%03d-%s.png", i, COLOURS[i % COLOURS.length]));
            ImageIO.write(draw(i), "png", p.toFile());
            images.add(p);
        }
        try (Clip model = new Clip(ClipPresets.get(preset), ClipBpeTokenizer.bundled(), 0)) {
            ModelDir.save(model, modelDir);
        }
        Map<String, Object> r = new LinkedHashMap<>();
        try (VlmModel loaded = ModelDir.load(modelDir)) {
            Clip clip = (Clip) loaded;
            long t0 = System.nanoTime();
            float[][] emb = clip.encodeImageFiles(images);
            double secs = (System.nanoTime() - t0) / 1e9;
            ZeroShotClassifier zs = new ZeroShotClassifier(clip, List.of(COLOURS), List.of("a {} square."), false);
            var top = zs.topK(emb, 1);
            int correct = 0;
            for (int i = 0; i < count; i++) {
                if (top.get(i).get(0).index() == i % COLOURS.length) {
                    correct++;
                }
            }
            r.put("model_dir", modelDir.toString());
            r.put("preset", preset);
            r.put("parameters", clip.parameterCount());
            r.put("images", count);
            r.put("images_per_second", count / secs);
            r.put("zero_shot_accuracy", correct / (double) count);
            r.put("trained", false);
            r.put("engine", info.summary());
            if (json.json) {
                Cli.printJson(o, r);
            } else {
                o.printf("engine: %s%n", info.summary());
                o.printf("built %s CLIP (%,d parameters, untrained) -> %s%n", preset, clip.parameterCount(), modelDir);
                o.printf("embedded %d images in %.2f s (%.1f images/s, decode + preprocess + encode)%n", count, secs,
                        count / secs);
                o.printf("zero-shot colour accuracy: %.1f%% (chance is %.1f%%: the model is untrained)%n",
                        100.0 * correct / count, 100.0 / COLOURS.length);
                o.printf("next: vlm4j classify --model %s --labels red,green,blue,yellow %s%n", modelDir, images.get(0));
            }
        }
        return 0;
    }

    private static BufferedImage draw(int i) {
        BufferedImage img = new BufferedImage(96, 80, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, 96, 80);
        g.setColor(RGB[i % RGB.length]);
        int s = 24 + (i * 7) % 30;
        g.fillRect((i * 13) % (96 - s), (i * 5) % (80 - s), s, s);
        g.dispose();
        return img;
    }
}
