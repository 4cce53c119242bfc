package org.vlm4j.index;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.vlm4j.data.Shapes;
import org.vlm4j.engine.Vlm4jEngine;
import org.vlm4j.io.ModelDir;
import org.vlm4j.model.contrastive.Clip;
import org.vlm4j.model.contrastive.ClipPresets;
import org.vlm4j.text.ClipBpeTokenizer;

/** Tiny models and Shapes collections the index and server tests build for themselves (seconds). */
public final class TinyFixtures {
    private TinyFixtures() {}

    /** A random-weight 32 px CLIP (ClipPresets.tiny, CLIP's BPE vocabulary) saved as a model directory. */
    public static Path model(Path dir, long seed) throws IOException {
        Vlm4jEngine.init();
        if (!Files.isRegularFile(dir.resolve(ModelDir.WEIGHTS))) {
            try (Clip clip = new Clip(ClipPresets.tiny(), ClipBpeTokenizer.bundled(), seed)) {
                ModelDir.save(clip, dir);
            }
        }
        return dir;
    }

    /** {@code count} Shapes scenes at 32 px (80% land in train.tsv); returns the train table. */
    public static Path shapes(Path dir, int count, long seed) throws IOException {
        Shapes.Summary s = Shapes.generate(dir, Shapes.Config.of(count, seed).withSize(32));
        return Path.of(s.data().get("train"));
    }
}
