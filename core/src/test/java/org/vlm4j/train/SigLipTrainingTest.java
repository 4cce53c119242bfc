package org.vlm4j.train;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sigmoid loss trains a tiny SigLIP from scratch on Shapes to the 90% zero-shot bar: {@link ContrastiveShapesTraining}. */
class SigLipTrainingTest {
    @Test
    void lossFallsAndZeroShotReachesTheBar(@TempDir Path tmp) throws Exception {
        // The sigmoid loss wants a lower rate and more steps here: at lr 1e-3, 320 steps gave 0.91 / 0.77 / 0.75 at
        // seeds 5 / 6 / 7 and 480 steps 0.97 / 0.83 (seeds 6 / 7); at 5e-4, 320 steps 0.86 / 0.91 (seeds 6 / 7).
        ContrastiveShapesTraining.lossFallsAndZeroShotReachesTheBar("siglip-tiny", 400, 5e-4f, tmp);
    }
}
