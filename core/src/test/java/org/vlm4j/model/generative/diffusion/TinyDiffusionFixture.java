package org.vlm4j.model.generative.diffusion;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.vlm4j.data.CaptionMix;
import org.vlm4j.data.ImageTextDataset;
import org.vlm4j.data.Shapes;
import org.vlm4j.io.ModelDir;
import org.vlm4j.testing.SharedFixtures;
import org.vlm4j.text.BpeTrainer;
import org.vlm4j.text.ClipBpeTokenizer;
import org.vlm4j.train.StepMetrics;
import org.vlm4j.train.TrainOptions;
import org.vlm4j.train.Trainer;

/**
 * diffusion-tiny trained once per test run ({@link SharedFixtures}): {@code steps} steps of 32 single-shape 16 px
 * Shapes scenes (4 colours x 3 shapes, T = 200, its own BPE vocabulary, the caption mix short:0.5).
 * {@code DiffusionEndToEndTest} checks this model; {@code MiniGpt5DecoderTest} freezes it as MiniGPT-5's decoder.
 */
public final class TinyDiffusionFixture {
    public static final int COLORS = 4;

    private TinyDiffusionFixture() {}

    /**
     * @param model  a fresh copy, the caller's to close
     * @param losses the training loss per step
     * @param data   the Shapes folder it was trained on (its {@code train_one_shape.tsv}), read-only
     */
    public record Trained(DiffusionModel model, double[] losses, Path data) {}

    public static Trained trained(int steps) throws Exception {
        Path dir = SharedFixtures.dir("diffusion-tiny-" + steps, d -> {
            Path data = d.resolve("shapes");
            Shapes.generate(data, Shapes.Config.of(1000, 21).withSize(16).withVocabulary(COLORS, 3));
            Path single = data.resolve("train" + Shapes.ONE_SHAPE_SUFFIX + ".tsv");
            ClipBpeTokenizer tok = BpeTrainer.of(540).trainFiles(List.of(data.resolve("train.tsv"))).tokenizer();
            try (DiffusionModel m = DiffusionModel.create(DiffusionConfig.tiny(tok.vocabSize()).withTimesteps(200), tok,
                    3)) {
                TrainOptions o = new TrainOptions(steps, 32, 3e-3f, 0f, 20, 1f, 1, steps, 1, 3, 5, 4)
                        .withCaptionMix(CaptionMix.parse("short:0.5"));
                long t0 = System.nanoTime();
                Trainer.Result r = new Trainer(o, null).fit(m, ImageTextDataset.open(single.toString()),
                        d.resolve("run"), false);
                System.out.printf("diffusion-tiny: %d steps in %.1f s%n", steps, (System.nanoTime() - t0) / 1e9);
                ModelDir.save(m, d.resolve("model"));
                List<String> losses = new ArrayList<>();
                for (StepMetrics s : r.history()) {
                    losses.add(Double.toString(s.loss()));
                }
                Files.write(d.resolve("losses.txt"), losses, StandardCharsets.UTF_8);
            }
        });
        double[] losses = Files.readAllLines(dir.resolve("losses.txt"), StandardCharsets.UTF_8).stream()
                .mapToDouble(Double::parseDouble).toArray();
        return new Trained((DiffusionModel) ModelDir.load(dir.resolve("model")), losses, dir.resolve("shapes"));
    }
}
