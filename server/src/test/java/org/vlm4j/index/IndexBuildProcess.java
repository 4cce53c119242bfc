package org.vlm4j.index;

import java.nio.file.Path;
import org.vlm4j.data.ImageTextDataset;
import org.vlm4j.engine.Vlm4jEngine;
import org.vlm4j.io.ModelDir;
import org.vlm4j.model.ImageTextEncoder;
import org.vlm4j.model.VlmModel;

/**
 * A child JVM for the kill -9 test: builds an index one small batch per commit, printing "embedded N of M" after each,
 * slowly enough that the test can kill it in the middle. Args: MODEL DATA INDEX.
 */
public final class IndexBuildProcess {
    public static void main(String[] args) throws Exception {
        Vlm4jEngine.init();
        Path model = Path.of(args[0]);
        try (VlmModel m = ModelDir.load(model)) {
            ImageTextEncoder enc = (ImageTextEncoder) m;
            IndexMeta meta = new IndexMeta(ModelFingerprint.of(model), model.toString(), m.family(), enc.embedDim(),
                    java.util.List.of());
            try (VectorIndex idx = VectorIndex.openForWriting(Path.of(args[2]), meta)) {
                new IndexBuilder(enc).run(ImageTextDataset.open(args[1]), idx, new IndexBuilder.Options(2, 1, true),
                        (done, total) -> {
                            System.out.println("embedded " + done + " of " + total); // the commit follows each batch
                            System.out.flush();
                            try {
                                Thread.sleep(150);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        });
            }
        }
        System.out.println("finished");
    }
}
