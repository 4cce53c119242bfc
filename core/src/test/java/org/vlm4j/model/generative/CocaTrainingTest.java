package org.vlm4j.model.generative;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vlm4j.data.ImageTextDataset;
import org.vlm4j.data.Shapes;
import org.vlm4j.eval.CaptioningEval;
import org.vlm4j.eval.CaptioningResult;
import org.vlm4j.image.ImagePreprocessor.PreprocessConfig;
import org.vlm4j.nn.Activation;
import org.vlm4j.nn.DecoderConfig;
import org.vlm4j.nn.GenerationConfig;
import org.vlm4j.nn.TextConfig;
import org.vlm4j.nn.VisionConfig;
import org.vlm4j.text.BpeTrainer;
import org.vlm4j.text.ClipBpeTokenizer;
import org.vlm4j.train.StepMetrics;
import org.vlm4j.train.TrainOptions;
import org.vlm4j.train.Trainer;

/**
 * CoCa trains from scratch on tiny Shapes data (3 colours x 2 shapes, 32 px, 1,600 training scenes): the loss falls,
 * and greedy captions of the 200 new val images, scored by the captioning evaluator, name the first-named shape's
 * colour and shape (the scene's large one, its table columns color/shape) in at least 80% of cases.
 */
class CocaTrainingTest {
    @TempDir
    static Path tmp;

    /** The first colour word and the first shape word of a caption ("a large red circle left of ..." -> red circle). */
    static String colourShape(String caption) {
        String colour = null;
        String shape = null;
        for (String w : caption.split("\\s+")) {
            if (colour == null && Shapes.COLORS.contains(w)) {
                colour = w;
            }
            if (shape == null && Shapes.SHAPES.contains(w)) {
                shape = w;
            }
        }
        return colour + " " + shape;
    }

    /**
     * A quarter-size CoCa for the test budget: 32 px, a 16-32 conv stem to 8x8 tokens, 2 + 2 + 2 layers of width 64,
     * context 20 (the longest Shapes caption is 17 tokens with start and end), 16 captioning queries.
     */
    static CocaConfig small(int vocab) {
        VisionConfig v = new VisionConfig(32, 4, 64, 2, 2, 256, Activation.GELU, 1e-5f, true, false, true, "tok", 0,
                false, false, 0f, List.of(16, 32));
        TextConfig t = new TextConfig(vocab, 20, 64, 2, 2, 256, Activation.GELU, 1e-5f, true, "argmax", 64, false, false,
                0f);
        DecoderConfig d = new DecoderConfig(vocab, 20, 64, 2, 2, 256, Activation.GELU, 1e-5f, true, 64, true);
        return new CocaConfig(Coca.FAMILY, 64, v, t, d, 16, 2, 2f, 1f, (float) Math.log(1 / 0.07),
                PreprocessConfig.openaiClip(32));
    }

    @Test
    void lossFallsAndGreedyCaptionsNameColourAndShape() throws Exception {
        Path data = tmp.resolve("shapes");
        Shapes.Config cfg = Shapes.Config.of(2000, 11).withVocabulary(3, 2).withSize(32);
        Shapes.generate(data, cfg);
        ClipBpeTokenizer tok = BpeTrainer.of(540).trainFiles(List.of(data.resolve("train.tsv"))).tokenizer();
        // 120 steps of 32: 99% on the first run here (200 val images); 80 steps with 1-layer text and decoder: 46%
        int steps = 120;
        try (Coca model = new Coca(small(tok.vocabSize()), tok, 5)) {
            TrainOptions o = new TrainOptions(steps, 32, 2e-3f, 0.1f, 16, 1f, 1, steps, 1, 5, 5, 4);
            long t0 = System.nanoTime();
            Trainer.Result r = new Trainer(o, null).fit(model, ImageTextDataset.open(data.resolve("train.tsv").toString()),
                    tmp.resolve("run"), false);
            double secs = (System.nanoTime() - t0) / 1e9;
            List<StepMetrics> h = r.history();
            double first = h.subList(0, 10).stream().mapToDouble(StepMetrics::loss).average().orElseThrow();
            double last = h.subList(steps - 10, steps).stream().mapToDouble(StepMetrics::loss).average().orElseThrow();
            double capFirst = h.get(0).losses().get("caption_loss");
            double capLast = h.subList(steps - 10, steps).stream().mapToDouble(m -> m.losses().get("caption_loss"))
                    .average().orElseThrow();
            long g0 = System.nanoTime();
            CaptioningResult eval = CaptioningEval.evaluate(model,
                    ImageTextDataset.open(data.resolve("val.tsv").toString()), GenerationConfig.greedy(30, Set.of()));
            int right = 0;
            int n = eval.n();
            List<String> wrong = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String want = colourShape(eval.references().get(i).get(0)); // the first-named shape of the scene
                if (colourShape(eval.captions().get(i)).equals(want)) {
                    right++;
                } else if (wrong.size() < 5) {
                    wrong.add(want + " <- '" + eval.captions().get(i) + "'");
                }
            }
            double acc = right / (double) n;
            System.out.printf("coca (test size): %d steps in %.1f s, loss %.3f -> %.3f (caption %.3f -> %.3f), greedy"
                    + " colour+shape %.3f of %d, BLEU-4 %.3f, CIDEr-D %.3f, in %.1f s; wrong e.g. %s%n", steps, secs,
                    first, last, capFirst, capLast, acc, n, eval.bleu()[3], eval.ciderD(),
                    (System.nanoTime() - g0) / 1e9, wrong);
            assertTrue(last < 0.5 * first, "loss " + first + " -> " + last);
            assertTrue(acc >= 0.8, "greedy captions name colour and shape in " + acc + " of " + n + ": " + wrong);
        }
    }
}
