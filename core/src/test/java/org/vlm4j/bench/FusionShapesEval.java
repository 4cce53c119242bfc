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
import org.vlm4j.eval.ShapesJudge;
import org.vlm4j.eval.ZeroShotEval;
import org.vlm4j.io.ModelDir;
import org.vlm4j.model.LikelihoodScorer;
import org.vlm4j.model.generative.FusionModel;
import org.vlm4j.model.generative.ShapesEdits;
import org.vlm4j.nn.GenerationConfig;

/**
 * How an early-fusion model trained on Shapes (`vlm4j train --model fusion-*-tiny ...`) writes, draws and classifies:
 * greedy captions of the first {@code n} images of a table, counted right when they name the first-named shape's
 * colour and shape ("red circle"); for every colour x {circle, square, triangle} class, three images drawn from "a red
 * circle" (sampled with temperature, top-k and classifier-free guidance, seeds seed..seed+2; temperature=0: greedy),
 * judged by {@link ShapesJudge} (dominant colour; shape by the fill ratio of its largest region); and, with
 * zeroshot=N, zero-shot top-1 of the first N images over all colour x shape classes of the table by log p(image |
 * "a {class}") and by log p("a {class}" | image). Prints one JSON line. Not a test.
 *
 * <pre>
 * mvn -B -q -pl core test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=org.vlm4j.bench.FusionShapesEval \
 *   -Dexec.arguments=model=RUN/model,data=SHAPES_DIR/val.tsv,n=300,temperature=1,topk=0,seed=0,guidance=1,zeroshot=0
 * </pre>
 */
public final class FusionShapesEval {
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
                : GenerationConfig.sampling(64, temperature, Integer.parseInt(a.getOrDefault("topk", "0")),
                Float.parseFloat(a.getOrDefault("topp", "1")),
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
            float guidance = Float.parseFloat(a.getOrDefault("guidance", "1"));
            int drawn = 0;
            int colourRight = 0;
            int bothRight = 0;
            for (int c = 0; c < Shapes.COLORS.size(); c++) {
                for (String shape : Shapes.SHAPES.subList(0, 3)) { // the shapes ShapesJudge tells apart
                    String p = "a " + Shapes.COLORS.get(c) + " " + shape;
                    float[][] imgs = model.generateImages(List.of(p, p, p), gen, guidance); // seeds seed..seed + 2
                    for (float[] img : imgs) {
                        ShapesJudge.Verdict v = ShapesJudge.judge(img);
                        drawn++;
                        colourRight += v.colour() == c ? 1 : 0;
                        bothRight += v.colour() == c && v.shape() == Shapes.SHAPES.indexOf(shape) ? 1 : 0;
                    }
                }
            }
            String edits = org.vlm4j.model.generative.FusionTasks.INSTRUCT.equals(model.config().tasks())
                    ? edits(model, a.get("data"), Integer.parseInt(a.getOrDefault("edits", "60")), gen) : "";
            int zsN = Integer.parseInt(a.getOrDefault("zeroshot", "0"));
            String zs = "";
            if (zsN > 0) {
                zs = zeroShot(model, a.get("data"), zsN);
            }
            System.out.printf("{\"captions_n\": %d, \"caption_colour_and_shape_right\": %.4f, \"drawn_n\": %d,"
                    + " \"guidance\": %.2f, \"drawn_colour_right\": %.4f, \"drawn_colour_and_shape_right\": %.4f,"
                    + " \"chance_colour\": %.4f, \"chance_colour_and_shape\": %.4f%s, \"examples\": \"%s\"}%n", seen,
                    (double) right / seen, drawn, guidance, (double) colourRight / drawn, (double) bothRight / drawn,
                    1.0 / Shapes.COLORS.size(), 1.0 / (3 * Shapes.COLORS.size()), zs + edits,
                    String.join("; ", examples));
        }
    }

    /**
     * Edit-by-text on the first n images of the table that allow an edit ({@link ShapesEdits#pick}, the new colour
     * among the table's compositions): how often the edited image's dominant colour is the asked one, against how
     * often the unedited image's is (the judge on the originals; near 0), and how often the shape is kept.
     */
    private static String edits(FusionModel model, String data, int n, GenerationConfig gen) throws Exception {
        List<float[]> px = new ArrayList<>();
        List<ShapesEdits.Edit> edits = new ArrayList<>();
        List<Integer> shapes = new ArrayList<>();
        List<Map<String, String>> meta = new ArrayList<>();
        try (BatchLoader loader = new BatchLoader(ImageTextDataset.open(data), model.preprocessor(),
                BatchLoader.Options.sequential(64))) {
            for (Batch b = loader.next(); b != null; b = loader.next()) {
                meta.addAll(b.meta());
            }
        }
        java.util.Set<String> seen = ShapesEdits.compositions(meta);
        java.util.SplittableRandom rng = new java.util.SplittableRandom(0);
        try (BatchLoader loader = new BatchLoader(ImageTextDataset.open(data), model.preprocessor(),
                BatchLoader.Options.sequential(64))) {
            for (Batch b = loader.next(); b != null && edits.size() < n; b = loader.next()) {
                int per = b.imageFloats();
                for (int i = 0; i < b.size() && edits.size() < n; i++) {
                    ShapesEdits.Edit e = ShapesEdits.pick(b.meta().get(i), seen, rng);
                    if (e != null) {
                        px.add(java.util.Arrays.copyOfRange(b.pixels(), i * per, (i + 1) * per));
                        edits.add(e);
                        shapes.add(Shapes.SHAPES.indexOf(b.meta().get(i).get("shape")));
                    }
                }
            }
        }
        int per = px.get(0).length;
        float[] flat = new float[px.size() * per];
        for (int i = 0; i < px.size(); i++) {
            System.arraycopy(px.get(i), 0, flat, i * per, per);
        }
        int side = model.imageSize();
        float[][] out = model.editImages(flat, px.size(), side, side,
                edits.stream().map(ShapesEdits.Edit::instruction).toList(), gen);
        float[][] before = model.imageTokenizer().detokenize(model.imageTokenizer().tokenize(flat, px.size(), side,
                side));
        int asked = 0;
        int askedBefore = 0;
        int kept = 0;
        for (int i = 0; i < out.length; i++) {
            ShapesJudge.Verdict v = ShapesJudge.judge(out[i]);
            asked += v.colour() == edits.get(i).to() ? 1 : 0;
            kept += v.colour() == edits.get(i).to() && v.shape() == shapes.get(i) ? 1 : 0;
            askedBefore += ShapesJudge.judge(before[i]).colour() == edits.get(i).to() ? 1 : 0;
        }
        return String.format(", \"edit_n\": %d, \"edited_to_asked_colour\": %.4f, \"edited_to_asked_colour_and_kept_shape\":"
                + " %.4f, \"unedited_reconstruction_has_asked_colour\": %.4f", out.length, (double) asked / out.length,
                (double) kept / out.length, (double) askedBefore / out.length);
    }

    /** Zero-shot top-1 both ways over the classes present in the table, on its first n images. */
    private static String zeroShot(FusionModel model, String data, int n) throws Exception {
        List<float[]> px = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        try (BatchLoader loader = new BatchLoader(ImageTextDataset.open(data), model.preprocessor(),
                BatchLoader.Options.sequential(64))) {
            for (Batch b = loader.next(); b != null && labels.size() < n; b = loader.next()) {
                int per = b.imageFloats();
                for (int i = 0; i < b.size() && labels.size() < n; i++) {
                    px.add(java.util.Arrays.copyOfRange(b.pixels(), i * per, (i + 1) * per));
                    labels.add(b.meta().get(i).get("color") + " " + b.meta().get(i).get("shape"));
                }
            }
        }
        List<String> classes = new ArrayList<>(new java.util.TreeSet<>(labels));
        int per = px.get(0).length;
        float[] flat = new float[px.size() * per];
        for (int i = 0; i < px.size(); i++) {
            System.arraycopy(px.get(i), 0, flat, i * per, per);
        }
        int[] y = labels.stream().mapToInt(classes::indexOf).toArray();
        int side = model.imageSize();
        double image = ZeroShotEval.evaluate(model, classes, List.of("a {}"), flat, y.length, side, side, y).top1();
        double text = ZeroShotEval.evaluate(model.inDirection(LikelihoodScorer.Direction.TEXT_GIVEN_IMAGE), classes,
                List.of("a {}"), flat, y.length, side, side, y).top1();
        return String.format(", \"zeroshot_n\": %d, \"zeroshot_classes\": %d, \"zeroshot_top1_image_given_text\": %.4f,"
                + " \"zeroshot_top1_text_given_image\": %.4f", y.length, classes.size(), image, text);
    }
}
