package org.vlm4j.model.generative;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vlm4j.data.Batch;
import org.vlm4j.data.BatchLoader;
import org.vlm4j.data.ImageTextDataset;
import org.vlm4j.data.Shapes;
import org.vlm4j.eval.ShapesJudge;
import org.vlm4j.eval.ZeroShotEval;
import org.vlm4j.eval.ZeroShotResult;
import org.vlm4j.nn.GenerationConfig;
import org.vlm4j.text.BpeTrainer;
import org.vlm4j.text.ClipBpeTokenizer;
import org.vlm4j.train.StepMetrics;
import org.vlm4j.train.TrainOptions;
import org.vlm4j.train.Trainer;

/**
 * The acceptance for the early-fusion model and the generative classifier, on tiny Shapes: 32 px scenes of
 * one large shape, 3 colours x 3 shapes, captioned by the shape alone ("a red circle"; the held-out compositions,
 * red circle among them, are trained on too, topped up to as many scenes as each other class: this tests drawing,
 * not compositional generalisation). vqvae-tiny 300 steps, then fusion-chameleon-tiny (QK-norm, Chameleon's norm
 * placement, 10% caption dropout) 300 steps, then: (1) its greedy captions of new images name their colour and
 * shape; (2) images drawn from "a red circle" with classifier-free guidance 2 are red circles by {@link ShapesJudge}
 * in a majority of 32 samples, the bar (the judge is first shown right on the real images, and measured on
 * the VQ-VAE's reconstructions of them); (3) zero-shot classification by log p(image | "a {class}") (and by
 * log p(text | image)) beats chance, 1/9, by a wide margin.
 */
class FusionShapesTest {
    static final List<String> COLOURS = Shapes.COLORS.subList(0, 3);
    static final List<String> SHAPES = Shapes.SHAPES.subList(0, 3);

    @TempDir
    Path tmp;

    @Test
    void captionsDrawsARedCircleAndClassifiesByLikelihood() throws Exception {
        Path data = tmp.resolve("shapes");
        Shapes.Config shapes = Shapes.Config.of(2000, 7).withSize(32).withVocabulary(3, 3);
        Shapes.generate(data, shapes);
        // train + heldout: the held-out compositions (red circle among them) are part of what this model learns, as
        // often as the others (topped up: without, 15 red circles against ~65 of each other class)
        Path table = FusionDrawProbe.balanced(data, shapes, classCaptions(data, List.of("train.tsv", "heldout.tsv"),
                "all.tsv"), "balanced.tsv");
        Path val = classCaptions(data, List.of("val.tsv"), "val-classes.tsv");
        ImageTextDataset train = ImageTextDataset.open(table.toString());
        ClipBpeTokenizer tok = BpeTrainer.of(540).trainFiles(List.of(table)).tokenizer();
        // 800 VQ steps keep the corners (the judge right on 53 of 53 reconstructions, 41 at 300) but make the codes
        // harder to model: at 300 fusion steps the captions fell to 18 of 53; 600 fusion steps took 15 minutes here
        // and still drew only 17 red circles of 32 (BENCHMARKS.md)
        int vqSteps = 300;
        int steps = 300;
        try (VqVae vq = new VqVae(VqVaePresets.tiny(), 1);
             FusionModel model = new FusionModel(FusionConfig.chameleon(tok.vocabSize()), tok, 2)) {
            long t0 = System.nanoTime();
            new Trainer(new TrainOptions(vqSteps, 32, 2e-3f, 0f, vqSteps / 20, 1f, 1, vqSteps, 1, 1, 5, 4), null)
                    .fit(vq, ImageTextDataset.open(data.resolve("train.tsv").toString()), tmp.resolve("vq"), false);
            long t1 = System.nanoTime();
            model.setImageTokenizer(vq);
            Trainer.Result r = new Trainer(new TrainOptions(steps, 32, 2e-3f, 0.1f, steps / 20, 1f, 1, steps, 1, 3, 5, 4), null).fit(model, train, tmp.resolve("run"),
                    false);
            long t2 = System.nanoTime();
            List<StepMetrics> h = r.history();
            double first = h.subList(0, 10).stream().mapToDouble(StepMetrics::loss).average().orElseThrow();
            double last = h.subList(steps - 10, steps).stream().mapToDouble(StepMetrics::loss).average().orElseThrow();
            System.out.printf("fusion shapes: vq %d steps %.1f s, fusion %d steps %.1f s, loss %.3f -> %.3f%n", vqSteps,
                    (t1 - t0) / 1e9, steps, (t2 - t1) / 1e9, first, last);
            assertTrue(last < 0.3 * first, "loss " + first + " -> " + last);

            Val v = load(val, model);
            // the judge, first on real images, then on what the VQ-VAE makes of them
            int[] real = judged(v.images(), v);
            int[] recon = judged(vq.detokenize(vq.tokenize(v.pixels(), v.n(), 32, 32)), v);
            System.out.printf("judge right on real val images: colour %d, colour and shape %d of %d; on reconstructions:"
                    + " colour %d, colour and shape %d%n", real[0], real[1], v.n(), recon[0], recon[1]);
            assertTrue(real[1] >= 0.95 * v.n(), "the judge must be right on real images: " + real[1] + " of " + v.n());

            List<String> caps = model.caption(v.pixels(), v.n(), 32, 32, GenerationConfig.greedy(8, java.util.Set.of()));
            int capRight = 0;
            for (int i = 0; i < v.n(); i++) {
                capRight += caps.get(i).equals(v.classes().get(i)) ? 1 : 0;
            }
            System.out.printf("captions right %d of %d, e.g. %s%n", capRight, v.n(), caps.subList(0, 5));
            // observed 30 of 53 (57%; 43 on the unbalanced table); chance 1/9
            assertTrue(capRight >= 0.5 * v.n(), "captions naming colour and shape: " + capRight + " of " + v.n());

            // "a red circle" drawn 32 times (temperature 1, seeds 0..31) with classifier-free guidance 2 (guidance 3
            // drew fewer: 9 of 32 on this table; on the unbalanced table 11 and 9 red circles at guidance 2 and 3;
            // temperature 0.7 or 0.5, top-k 8, top-p 0.8 did not help; BENCHMARKS.md)
            int[] g2 = drawRedCircles(model, 2f);
            List<String> classes = new ArrayList<>();
            for (String c : COLOURS) {
                for (String s : SHAPES) {
                    classes.add(c + " " + s);
                }
            }
            int[] y = new int[v.n()];
            for (int i = 0; i < v.n(); i++) {
                y[i] = classes.indexOf(v.classes().get(i).substring(2));
            }
            long t3 = System.nanoTime();
            ZeroShotResult zs = ZeroShotEval.evaluate(model, classes, List.of("a {}"), v.pixels(), v.n(), 32, 32, y);
            long t4 = System.nanoTime();
            ZeroShotResult zsText = ZeroShotEval.evaluate(model.inDirection(
                    org.vlm4j.model.LikelihoodScorer.Direction.TEXT_GIVEN_IMAGE), classes, List.of("a {}"), v.pixels(),
                    v.n(), 32, 32, y);
            System.out.printf("zero-shot by log p(image | text): top-1 %.3f (%.1f s); by log p(text | image): %.3f%n",
                    zs.top1(), (t4 - t3) / 1e9, zsText.top1());
            // the bar: 3x chance (1/9); observed 0.43 by the image likelihood, 0.57 by the text likelihood
            assertTrue(zs.top1() >= 3.0 / 9, "zero-shot by log p(image | text): " + zs.top1());
            assertTrue(zsText.top1() >= 3.0 / 9, "zero-shot by log p(text | image): " + zsText.top1());
            // The bar: colour AND shape right in a majority, at guidance 2 (probes of this recipe: 25 red, 18
            // red circles of 32; second seed 26 and 18; one thread)
            assertTrue(g2[0] > 32 / 2, "red pictures drawn at guidance 2: " + g2[0] + " of 32");
            assertTrue(g2[1] > 32 / 2, "red circles drawn at guidance 2: " + g2[1] + " of 32");
        }
    }

    /** 32 pictures of "a red circle" (temperature 1, seeds 0..31) judged: {red, red and circular}. */
    static int[] drawRedCircles(FusionModel model, float guidance) {
        int samples = 32;
        List<String> prompts = new ArrayList<>();
        for (int i = 0; i < samples; i++) {
            prompts.add("a red circle");
        }
        float[][] drawn = model.generateImages(prompts, GenerationConfig.sampling(64, 1f, 0, 1f, java.util.Set.of(),
                0), guidance);
        assertEquals(samples, drawn.length, "one picture per prompt");
        int[] right = new int[2];
        List<String> verdicts = new ArrayList<>();
        for (float[] img : drawn) {
            ShapesJudge.Verdict j = ShapesJudge.judge(img);
            verdicts.add(j.label());
            right[0] += j.colour() == 0 ? 1 : 0;
            right[1] += j.colour() == 0 && j.shape() == 0 ? 1 : 0;
        }
        System.out.printf("'a red circle' x %d, guidance %.0f: colour right %d, colour and shape right %d: %s%n",
                samples, guidance, right[0], right[1], verdicts);
        return right;
    }

    public record Val(float[] pixels, float[][] images, List<String> classes, List<Integer> colour, List<Integer> shape) {
        int n() {
            return classes.size();
        }
    }

    /** The val images preprocessed for the model, as unit RGB for the judge, their class captions and classes. */
    static Val load(Path table, FusionModel model) throws Exception {
        return load(table, model.preprocessor());
    }

    static Val load(Path table, org.vlm4j.image.ImagePreprocessor preprocessor) throws Exception {
        List<float[]> px = new ArrayList<>();
        List<String> classes = new ArrayList<>();
        List<Integer> colour = new ArrayList<>();
        List<Integer> shape = new ArrayList<>();
        try (BatchLoader loader = new BatchLoader(ImageTextDataset.open(table.toString()), preprocessor,
                BatchLoader.Options.sequential(64))) {
            for (Batch b = loader.next(); b != null; b = loader.next()) {
                int per = b.pixels().length / b.size();
                for (int i = 0; i < b.size(); i++) {
                    px.add(java.util.Arrays.copyOfRange(b.pixels(), i * per, (i + 1) * per));
                    classes.add(b.captions().get(i));
                    colour.add(Shapes.COLORS.indexOf(b.meta().get(i).get("color")));
                    shape.add(Shapes.SHAPES.indexOf(b.meta().get(i).get("shape")));
                }
            }
        }
        int per = px.get(0).length;
        float[] flat = new float[px.size() * per];
        float[][] unit = new float[px.size()][];
        for (int i = 0; i < px.size(); i++) {
            System.arraycopy(px.get(i), 0, flat, i * per, per);
            unit[i] = new float[per];
            for (int k = 0; k < per; k++) {
                unit[i][k] = px.get(i)[k] * 0.5f + 0.5f; // vqvae-tiny normalises to [-1, 1]
            }
        }
        return new Val(flat, unit, classes, colour, shape);
    }

    /** How many images the judge gets right: {colour, colour and shape}. */
    static int[] judged(float[][] images, Val v) {
        int[] right = new int[2];
        for (int i = 0; i < images.length; i++) {
            ShapesJudge.Verdict j = ShapesJudge.judge(images[i]);
            right[0] += j.colour() == v.colour().get(i) ? 1 : 0;
            right[1] += j.colour() == v.colour().get(i) && j.shape() == v.shape().get(i) ? 1 : 0;
        }
        return right;
    }

    /** A table of the splits' scenes captioned by their first-named shape alone: "a red circle". */
    static Path classCaptions(Path data, List<String> splits, String name) throws IOException {
        List<String> out = new ArrayList<>();
        out.add("image\ttext\tcolor\tshape");
        for (String split : splits) {
            List<String> lines = Files.readAllLines(data.resolve(split));
            List<String> header = List.of(lines.get(0).split("\t", -1));
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.split("\t", -1);
                if (!f[header.indexOf("count")].equals("1") || !f[header.indexOf("size")].equals("large")) {
                    continue; // scenes of one large shape
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
