package org.vlm4j.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.vlm4j.data.Batch;
import org.vlm4j.data.BatchLoader;
import org.vlm4j.data.ImageTextDataset;
import org.vlm4j.data.Shapes;
import org.vlm4j.engine.Vlm4jEngine;
import org.vlm4j.io.ModelDir;
import org.vlm4j.model.generative.FusionModel;
import org.vlm4j.nn.GenerationConfig;

/**
 * How an early-fusion model trained on Shapes (`vlm4j train --model fusion-tiny --image-tokenizer VQVAE_DIR`) writes
 * and draws: greedy captions of the first {@code n} images of a table, counted right when they name the first-named
 * shape's colour and shape ("red circle"); and, for every colour x shape class, three images drawn from "a red
 * circle" (sampled with temperature and top-k, seeds seed..seed+2; temperature=0: greedy), counted right when their
 * dominant colour (mean of the saturated or bright pixels, nearest of the Shapes palette) is the prompt's. The drawn
 * shape is not judged.
 * Prints one JSON line. Not a test.
 *
 * <pre>
 * mvn -B -q -pl core test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=org.vlm4j.bench.FusionShapesEval \
 *   -Dexec.arguments=model=RUN/model,data=SHAPES_DIR/val.tsv,n=300,temperature=1,topk=0,seed=0
 * </pre>
 */
public final class FusionShapesEval {
    /** The Shapes palette (Shapes.RGB, before its per-scene jitter of +-16). */
    private static final int[][] PALETTE = {
        {220, 40, 40}, {40, 180, 60}, {50, 90, 235}, {240, 220, 40},
        {150, 60, 210}, {245, 140, 30}, {240, 240, 240}, {40, 215, 225}};

    private FusionShapesEval() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (String kv : String.join(",", args).split(",")) {
            if (kv.contains("=")) {
                a.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
            }
        }
        Vlm4jEngine.init();
        int n = Integer.parseInt(a.getOrDefault("n", "300"));
        float temperature = Float.parseFloat(a.getOrDefault("temperature", "1"));
        GenerationConfig gen = temperature == 0 ? GenerationConfig.greedy(64, java.util.Set.of())
                : GenerationConfig.sampling(64, temperature, Integer.parseInt(a.getOrDefault("topk", "0")), 1f,
                java.util.Set.of(), Long.parseLong(a.getOrDefault("seed", "0")));
        try (FusionModel model = (FusionModel) ModelDir.load(Path.of(a.get("model")))) {
            int right = 0;
            int seen = 0;
            List<String> examples = new ArrayList<>();
            try (BatchLoader loader = new BatchLoader(ImageTextDataset.open(a.get("data")), model.preprocessor(),
                    BatchLoader.Options.sequential(64))) {
                for (Batch b = loader.next(); b != null && seen < n; b = loader.next()) {
                    List<String> caps = model.caption(b.pixels(), b.size(), b.height(), b.width(),
                            GenerationConfig.greedy(16, java.util.Set.of()));
                    for (int i = 0; i < b.size() && seen < n; i++, seen++) {
                        String want = b.meta().get(i).get("color") + " " + b.meta().get(i).get("shape");
                        right += caps.get(i).contains(want) ? 1 : 0;
                        if (examples.size() < 5) {
                            examples.add(want + " -> " + caps.get(i));
                        }
                    }
                }
            }
            int drawn = 0;
            int colourRight = 0;
            for (int c = 0; c < Shapes.COLORS.size(); c++) {
                for (String shape : Shapes.SHAPES) {
                    String cls = Shapes.COLORS.get(c) + " " + shape;
                    String p = "a " + cls;
                    float[][] imgs = model.generateImages(List.of(p, p, p), gen); // seeds seed, seed + 1, seed + 2
                    for (float[] img : imgs) {
                        drawn++;
                        colourRight += dominantColour(img) == c ? 1 : 0;
                    }
                }
            }
            System.out.printf("{\"captions_n\": %d, \"caption_colour_and_shape_right\": %.4f, \"drawn_n\": %d,"
                    + " \"drawn_dominant_colour_right\": %.4f, \"chance_colour\": %.4f, \"examples\": \"%s\"}%n", seen,
                    (double) right / seen, drawn, (double) colourRight / drawn, 1.0 / Shapes.COLORS.size(),
                    String.join("; ", examples));
        }
    }

    /** Index of the palette colour nearest the mean of the image's saturated or bright pixels; -1 if it has none. */
    static int dominantColour(float[] chw) {
        int plane = chw.length / 3;
        double[] sum = new double[3];
        int count = 0;
        for (int p = 0; p < plane; p++) {
            float r = chw[p] * 255;
            float g = chw[plane + p] * 255;
            float b = chw[2 * plane + p] * 255;
            float max = Math.max(r, Math.max(g, b));
            float min = Math.min(r, Math.min(g, b));
            if (max - min > 80 || min > 170) { // the background is grey 16..64
                sum[0] += r;
                sum[1] += g;
                sum[2] += b;
                count++;
            }
        }
        if (count == 0) {
            return -1;
        }
        int best = -1;
        double bestD = Double.MAX_VALUE;
        for (int k = 0; k < PALETTE.length; k++) {
            double d = 0;
            for (int ch = 0; ch < 3; ch++) {
                double t = sum[ch] / count - PALETTE[k][ch];
                d += t * t;
            }
            if (d < bestD) {
                bestD = d;
                best = k;
            }
        }
        return best;
    }
}
