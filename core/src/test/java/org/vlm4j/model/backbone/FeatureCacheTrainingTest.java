package org.vlm4j.model.backbone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vlm4j.data.ImageTextDataset;
import org.vlm4j.data.Shapes;
import org.vlm4j.text.BpeTrainer;
import org.vlm4j.text.ClipBpeTokenizer;
import org.vlm4j.train.FeatureCache;
import org.vlm4j.train.StepMetrics;
import org.vlm4j.train.TrainOptions;
import org.vlm4j.train.Trainer;

/**
 * Bridge training over cached vision features is the same computation: the loss of every step is bit-identical to a
 * run that recomputes the frozen tower (same seed), the second epoch is served from the cache, and a bridge that
 * trains its vision tower refuses a cache.
 */
class FeatureCacheTrainingTest {
    @TempDir
    Path tmp;

    @Test
    void cachedTrainingEqualsRecomputing() throws Exception {
        Path data = tmp.resolve("s");
        Shapes.generate(data, Shapes.Config.of(15, 2).withVocabulary(3, 2).withSize(32)); // 12 train images
        List<String> caps = new ArrayList<>();
        for (String l : Files.readAllLines(data.resolve("train.tsv"))) {
            caps.add(l.split("\t")[1]);
        }
        ClipBpeTokenizer tok = BpeTrainer.of(520).train(caps).tokenizer();
        TrainOptions o = new TrainOptions(4, 6, 1e-3f, 0f, 1, 1f, 1, 4, 1, 3, 5, 2);
        ImageTextDataset train = ImageTextDataset.open(data.resolve("train.tsv").toString());
        List<Float> plain = new ArrayList<>();
        List<Float> cached = new ArrayList<>();
        FeatureCache cache = FeatureCache.onDisk(tmp.resolve("cache"));
        for (boolean useCache : new boolean[] {false, true}) {
            try (MiniGpt4 b = new MiniGpt4(Bridges.preset("minigpt4-tiny", tok.vocabSize()), tok, 9)) {
                if (useCache) {
                    b.setFeatureCache(cache);
                }
                Trainer.Result r = new Trainer(o, null).fit(b, train, tmp.resolve("run-" + useCache), false);
                for (StepMetrics m : r.history()) {
                    (useCache ? cached : plain).add(m.loss());
                }
            }
        }
        assertEquals(plain, cached);
        assertEquals(12, cache.size());
        assertEquals(12, cache.hits(), "steps 3 and 4 (the second epoch) read every image from the cache");
        try (FrozenBridge f = new FrozenBridge(Bridges.preset("frozen-tiny", tok.vocabSize()), tok, 1)) {
            assertThrows(IllegalArgumentException.class, () -> f.setFeatureCache(FeatureCache.inMemory()));
        }
    }
}
