package org.vlm4j.model.masking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vlm4j.image.ImagePreprocessor.PreprocessConfig;
import org.vlm4j.model.generative.VqVae;
import org.vlm4j.model.generative.VqVaeConfig;
import org.vlm4j.nn.Activation;
import org.vlm4j.nn.TextConfig;
import org.vlm4j.train.Trainer;

/**
 * FLAVA end to end on tiny Shapes: all six loss terms fall, MLM (through the multimodal encoder) fills colours from
 * the image, ITM binds, the embeddings and heads reload exactly; a weight of 0 switches its term off.
 */
class FlavaTest {
    @TempDir
    static Path tmp;

    static FlavaConfig small(int vocab) {
        TextConfig t = new TextConfig(vocab + 2, 20, 64, 1, 2, 256, Activation.GELU, 1e-5f, false, "first", 0, false,
                false, 0f);
        return new FlavaConfig(Flava.FAMILY, MaskingFixtures.stemWithClassToken(1), t, 64, 64, 2, 2, 256, 0.15f, 0.4f,
                0, (float) Math.log(1 / 0.07), 1f, 1f, 1f, 1f, 1f, PreprocessConfig.openaiClip(32));
    }

    @Test
    void trainsFillsColoursRanksCaptionsAndReloads() throws Exception {
        MaskingFixtures.Data d = MaskingFixtures.data(tmp);
        int steps = Integer.getInteger("vlm4j.test.steps", 300);
        try (Flava model = new Flava(small(d.tokenizer().vocabSize()), d.tokenizer(), 3)) {
            long t0 = System.nanoTime();
            Trainer.Result r = MaskingFixtures.train(model, d, tmp.resolve("run"), steps);
            double secs = (System.nanoTime() - t0) / 1e9;
            assertEquals(Set.of("contrastive_loss", "itm_loss", "mim_loss", "mlm_loss", "mmm_image_loss",
                    "mmm_text_loss"), r.history().get(0).losses().keySet());
            String losses = MaskingFixtures.describe(r.history());
            List<String> wrong = new ArrayList<>();
            double fill = MaskingFixtures.fillAccuracy(model, d, 32, wrong);
            double other = MaskingFixtures.otherImageAccuracy(model, d, 32);
            double itm = MaskingFixtures.itmAccuracy(model, d, 32);
            System.out.printf("flava (test size): %d steps in %.1f s; %s fill %.3f, other image %.3f, itm %.3f;"
                    + " wrong e.g. %s%n", steps, secs, losses, fill, other, itm, wrong);
            MaskingFixtures.assertEveryTermFalls(r.history(), 0.9);
            assertTrue(fill >= 0.8, "masked colour filled in " + fill + ": " + wrong);
            assertTrue(other >= 0.8, "other image's colour in " + other);
            assertTrue(itm >= 0.8, "true caption above the colour-swapped one in " + itm);
            MaskingFixtures.assertReloadsIdentically(model, d, tmp.resolve("model"), 32);
        }
    }

    /**
     * With codebook_size > 0, MIM and MMM's image part predict the codes of an image tokenizer (here an untrained
     * VQ-VAE whose 4x4 grid is the ViT's: its codes are still a fixed function of the image): the cross-entropy starts
     * near ln K and falls. Without the tokenizer, or with another codebook, the error says what is missing.
     */
    @Test
    void mimPredictsImageTokenizerCodesWhenGiven() throws Exception {
        MaskingFixtures.Data d = MaskingFixtures.data(tmp.resolve("codes"));
        float[] half = {0.5f, 0.5f, 0.5f};
        VqVaeConfig vc = new VqVaeConfig(VqVae.FAMILY, 32, List.of(16, 16, 16), 0, 8, 8, 16, 0.25f, 0.99f, 0f,
                VqVaeConfig.L2, new PreprocessConfig(32, half, half, "bilinear", "squash", false));
        FlavaConfig c = small(d.tokenizer().vocabSize()).withWeights(1f, 0f, 1f, 0f, 0f).withCodebook(16);
        try (VqVae vq = new VqVae(vc, 1); Flava model = new Flava(c, d.tokenizer(), 3)) {
            IllegalStateException missing = assertThrows(IllegalStateException.class,
                    () -> MaskingFixtures.train(model, d, tmp.resolve("run-nocodes"), 2));
            assertTrue(missing.getMessage().contains("image tokenizer"), missing.getMessage());
            int steps = 40;
            model.setImageTokenizer(vq);
            Trainer.Result r = MaskingFixtures.train(model, d, tmp.resolve("run-codes"), steps);
            assertEquals(Set.of("mim_loss", "mmm_image_loss", "mmm_text_loss"), r.history().get(0).losses().keySet());
            double first = r.history().get(0).losses().get("mim_loss");
            double last = MaskingFixtures.mean(r.history(), "mim_loss", steps - 5, steps);
            System.out.printf("flava with VQ-code MIM targets: mim_loss %.3f -> %.3f (ln 16 = %.3f)%n", first, last,
                    Math.log(16));
            assertEquals(Math.log(16), first, 0.7, "an untrained head predicts about uniformly over 16 codes");
            assertTrue(last < first - 0.2, "code cross-entropy " + first + " -> " + last);
        }
        try (VqVae vq = new VqVae(vc, 1); Flava other = new Flava(c.withCodebook(32), d.tokenizer(), 3)) {
            assertThrows(IllegalArgumentException.class, () -> other.setImageTokenizer(vq));
        }
    }

    @Test
    void zeroWeightsSwitchTermsOff() throws Exception {
        MaskingFixtures.Data d = MaskingFixtures.data(tmp.resolve("ablation"));
        FlavaConfig c = small(d.tokenizer().vocabSize()).withWeights(0f, 1f, 0f, 0f, 1f);
        try (Flava model = new Flava(c, d.tokenizer(), 3)) {
            Trainer.Result r = MaskingFixtures.train(model, d, tmp.resolve("run-ablation"), 2);
            assertEquals(Set.of("contrastive_loss", "mlm_loss"), r.history().get(0).losses().keySet());
        }
        assertThrows(IllegalArgumentException.class, () -> small(100).withWeights(0f, 0f, 0f, 0f, 0f));
    }
}
