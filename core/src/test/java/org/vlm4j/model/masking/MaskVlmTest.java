package org.vlm4j.model.masking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vlm4j.image.ImagePreprocessor.PreprocessConfig;
import org.vlm4j.nn.Activation;
import org.vlm4j.nn.TextConfig;
import org.vlm4j.train.Trainer;

/** MaskVLM end to end on tiny Shapes: the four terms fall, MLM fills colours from the image, ITM binds, reload. */
class MaskVlmTest {
    @TempDir
    static Path tmp;

    static MaskVlmConfig small(int vocab) {
        TextConfig t = new TextConfig(vocab + 2, 20, 64, 1, 2, 256, Activation.GELU, 1e-5f, false, "first", 0, false,
                false, 0f);
        return new MaskVlmConfig(MaskVlm.FAMILY, MaskingFixtures.stemWithClassToken(1), t, 64, 2, 0.15f, 0.4f,
                (float) Math.log(1 / 0.07), 1f, 1f, 1f, 1f, PreprocessConfig.openaiClip(32));
    }

    @Test
    void trainsFillsColoursRanksCaptionsAndReloads() throws Exception {
        MaskingFixtures.Data d = MaskingFixtures.data(tmp);
        // 200 steps (the other families: 300): fill 0.98, other image 0.955, ITM 1.0 against bars of 0.8 (at 300: all
        // 1.0); a shorter suite (BENCHMARKS.md, "The test suite's wall time")
        int steps = Integer.getInteger("vlm4j.test.steps", 200);
        try (MaskVlm model = new MaskVlm(small(d.tokenizer().vocabSize()), d.tokenizer(), 3)) {
            long t0 = System.nanoTime();
            Trainer.Result r = MaskingFixtures.train(model, d, tmp.resolve("run"), steps);
            double secs = (System.nanoTime() - t0) / 1e9;
            assertEquals(Set.of("contrastive_loss", "itm_loss", "mim_loss", "mlm_loss"),
                    r.history().get(0).losses().keySet());
            String losses = MaskingFixtures.describe(r.history());
            List<String> wrong = new ArrayList<>();
            double fill = MaskingFixtures.fillAccuracy(model, d, 32, wrong);
            double other = MaskingFixtures.otherImageAccuracy(model, d, 32);
            double itm = MaskingFixtures.itmAccuracy(model, d, 32);
            System.out.printf("maskvlm (test size): %d steps in %.1f s; %s fill %.3f, other image %.3f, itm %.3f;"
                    + " wrong e.g. %s%n", steps, secs, losses, fill, other, itm, wrong);
            MaskingFixtures.assertEveryTermFalls(r.history(), 0.9);
            assertTrue(fill >= 0.8, "masked colour filled in " + fill + ": " + wrong);
            assertTrue(other >= 0.8, "other image's colour in " + other);
            assertTrue(itm >= 0.8, "true caption above the colour-swapped one in " + itm);
            MaskingFixtures.assertReloadsIdentically(model, d, tmp.resolve("model"), 32);
        }
    }
}
