package org.vlm4j.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.vlm4j.data.TextLinesDataset;
import org.vlm4j.data.WordnetGlosses;
import org.vlm4j.model.lm.LanguageModel;
import org.vlm4j.model.lm.LmPresets;
import org.vlm4j.text.BpeTrainer;
import org.vlm4j.text.ClipBpeTokenizer;
import org.vlm4j.train.Trainer;
import org.vlm4j.train.TrainOptions;

/**
 * An lm-tiny pretrained in-process on real text (WordNet noun definitions from Debian's wordnet-base): what the
 * language-model tests and the bridges' tests start from.
 */
public final class TinyLm {
    private TinyLm() {}

    /**
     * 3,200 short noun definitions (at most 10 words, from every 8th synset): the first 3,000 train, the rest are
     * held out. Short texts keep the in-test pretraining within seconds.
     */
    public static List<String> glosses() throws IOException {
        return WordnetGlosses.read(WordnetGlosses.DEBIAN_DIR, "noun", 8, 20_000).stream()
                .filter(g -> g.split("\\s+").length <= 10).limit(3200).toList();
    }

    /**
     * Fits a BPE vocabulary of {@code vocab} ids to the texts and trains lm-tiny on them for {@code steps} steps of
     * 32 texts (run directory under {@code work}). The caller closes the model.
     */
    public static LanguageModel pretrain(List<String> texts, int vocab, int steps, Path work)
            throws IOException, InterruptedException {
        ClipBpeTokenizer tok = BpeTrainer.of(vocab).train(texts).tokenizer();
        Path file = work.resolve("texts.txt");
        Files.createDirectories(work);
        Files.write(file, texts);
        LanguageModel lm = new LanguageModel(LmPresets.get("lm-tiny", tok.vocabSize()), tok, 0);
        TrainOptions o = TrainOptions.defaults(steps, 32, 3e-3f, 0).withCheckpointEvery(steps * 10);
        new Trainer(new TrainOptions(o.steps(), o.batchSize(), o.lr(), 0.01f, o.warmupSteps(), o.clipNorm(), 1,
                steps, 1, 0, o.maxNonFiniteInARow(), o.prefetchBatches()), null)
                .fit(lm, TextLinesDataset.open(file), work.resolve("run"), false);
        return lm;
    }
}
