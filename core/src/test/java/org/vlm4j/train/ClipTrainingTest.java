package org.vlm4j.train;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** InfoNCE trains a tiny CLIP from scratch on Shapes to the 90% zero-shot bar: {@link ContrastiveShapesTraining}. */
class ClipTrainingTest {
    @Test
    void lossFallsAndZeroShotReachesTheBar(@TempDir Path tmp) throws Exception {
        ContrastiveShapesTraining.lossFallsAndZeroShotReachesTheBar("clip-tiny", 320, 1e-3f, tmp);
    }
}
