package org.vlm4j.train;

import java.nio.file.Files;
import java.nio.file.Path;
import org.vlm4j.data.ImageTextDataset;
import org.vlm4j.io.AtomicFiles;
import org.vlm4j.model.contrastive.Clip;
import org.vlm4j.model.contrastive.ClipConfig;
import org.vlm4j.model.contrastive.SigLip;
import org.vlm4j.text.Tokenizer;

/** Plans how many steps fit a time budget by timing a few real training steps of the same model. */
public final class StepCalibration {
    private StepCalibration() {}

    /** Steps of batch 64 of {@code config} on {@code data} that fit {@code minutes} (at least 10, at most maxSteps). */
    public static int stepsWithin(ClipConfig config, Tokenizer tok, ImageTextDataset data, double minutes, int maxSteps,
                           long seed) throws Exception {
        Path tmp = Files.createTempDirectory("vlm4j-calibrate");
        try (Clip probe = SigLip.create(config, tok, seed)) {
            int n = 8;
            Trainer.Result r = new Trainer(new TrainOptions(n, 64, 1e-4f, 0f, 1, 1f, 1, n, 1, seed, 5, 2), null)
                    .fit(probe, data, tmp, false);
            // Skip the first steps (warm-up of the allocator and the JIT) when timing.
            double secsPerStep = r.history().subList(2, n).stream().mapToDouble(m -> 64 / m.imagesPerSecond())
                    .average().orElse(1);
            return (int) Math.max(10, Math.min(maxSteps, minutes * 60 / secsPerStep));
        } finally {
            AtomicFiles.deleteTree(tmp);
        }
    }
}
