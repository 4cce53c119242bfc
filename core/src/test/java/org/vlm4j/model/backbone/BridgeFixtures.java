package org.vlm4j.model.backbone;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.vlm4j.data.ImageTextDataset;
import org.vlm4j.data.Shapes;
import org.vlm4j.io.ModelDir;
import org.vlm4j.model.contrastive.Clip;
import org.vlm4j.model.lm.LanguageModel;
import org.vlm4j.model.lm.LmConfig;
import org.vlm4j.testing.SharedFixtures;
import org.vlm4j.text.BpeTrainer;
import org.vlm4j.text.ClipBpeTokenizer;
import org.vlm4j.train.TrainOptions;
import org.vlm4j.train.Trainer;

/**
 * What the bridge tests share, built once per test run ({@link SharedFixtures}; each JVM loads its own copy): tiny Shapes data (3 colours x 3 shapes, 32 px: with fewer shapes, the
 * held-out rule leaves one colour per shape, and a colour question is answered by the text prior) with its questions,
 * a BPE vocabulary, a tiny CLIP trained on the captions (its vision tower is the frozen tower), and a tiny causal LM
 * pretrained on real text (WordNet noun glosses from Debian's wordnet-base) plus, as plain text (no images), the
 * training captions and reading-comprehension lines (a caption, a question about it, the answer), then frozen.
 */
final class BridgeFixtures {
    static final Path ROOT;
    static final Path DATA;
    static final Path MIX;
    static final ClipBpeTokenizer TOKENIZER;
    static final Clip CLIP;
    static final LanguageModel LM;
    static final double LM_FIRST_LOSS;
    static final double LM_LAST_LOSS;

    static {
        try {
            ROOT = Files.createTempDirectory("vlm4j-bridge-"); // this JVM's scratch; the fixture itself is shared
            Path shared = SharedFixtures.dir("bridge", BridgeFixtures::build);
            DATA = shared.resolve("shapes");
            MIX = DATA.resolve("mix.tsv");
            CLIP = (Clip) ModelDir.load(shared.resolve("clip"));
            TOKENIZER = (ClipBpeTokenizer) CLIP.tokenizer();
            LM = (LanguageModel) ModelDir.load(shared.resolve("lm"));
            List<String> losses = Files.readAllLines(shared.resolve("lm-losses.txt"));
            LM_FIRST_LOSS = Double.parseDouble(losses.get(0));
            LM_LAST_LOSS = Double.parseDouble(losses.get(1));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Once per test run (both forks read it): the data, the CLIP tower and the pretrained LM. */
    private static void build(Path dir) throws Exception {
        Path data = dir.resolve("shapes");
        Shapes.generate(data, Shapes.Config.of(2000, 11).withVocabulary(3, 3).withSize(32));
        mixTable(data);
        List<String> corpus = corpus(data, 1500);
        ClipBpeTokenizer tok = BpeTrainer.of(700).train(corpus).tokenizer();
        long t0 = System.nanoTime();
        try (Clip clip = trainClip(data, tok, dir.resolve("clip-run"))) {
            ModelDir.save(clip, dir.resolve("clip"));
        }
        long t1 = System.nanoTime();
        try (LanguageModel lm = new LanguageModel(new LmConfig(Bridges.tinyLm(tok.vocabSize())), tok, 3)) {
            double[] losses = pretrainLm(lm, tok, corpus, 600, 3);
            ModelDir.save(lm, dir.resolve("lm"));
            Files.write(dir.resolve("lm-losses.txt"), List.of(Double.toString(losses[0]), Double.toString(losses[1])));
            System.out.printf("bridge fixtures: vocab %d, CLIP %.1f s, LM loss %.3f -> %.3f in %.1f s%n",
                    tok.vocabSize(), (t1 - t0) / 1e9, losses[0], losses[1], (System.nanoTime() - t1) / 1e9);
        }
    }

    private BridgeFixtures() {}

    /** Train captions and train questions in one table: {@link BridgeCorpus#mixTable}. */
    static Path mixTable(Path data) throws IOException {
        return BridgeCorpus.mixTable(data);
    }

    /** WordNet glosses, captions and reading-comprehension lines: {@link BridgeCorpus#corpus}. */
    static List<String> corpus(Path data, int glosses) throws IOException {
        return BridgeCorpus.corpus(data, glosses);
    }

    static Clip trainClip(Path data, ClipBpeTokenizer tok, Path run) throws IOException, InterruptedException {
        Clip clip = new Clip(BridgeCorpus.towerConfig(tok.vocabSize()), tok, 1);
        // the quickstart's recipe: three images in four trained on the first shape's description alone
        TrainOptions o = new TrainOptions(300, 32, 2e-3f, 0.1f, 30, 1f, 1, 300, 1, 1, 5, 4)
                .withCaptionMix(org.vlm4j.data.CaptionMix.parse("short:0.75"));
        new Trainer(o, null).fit(clip, ImageTextDataset.open(data.resolve("train.tsv").toString()), run, false);
        return clip;
    }

    /** Causal-LM pretraining on packed rows of the corpus: {@link BridgeCorpus#pretrainLm}. */
    static double[] pretrainLm(LanguageModel model, ClipBpeTokenizer tok, List<String> corpus, int steps, long seed) {
        return BridgeCorpus.pretrainLm(model, tok, corpus, steps, seed);
    }

    /** A fresh bridge of a preset over the fixture's CLIP vision tower and LM. */
    static Bridge bridge(String preset, long seed) {
        BridgeConfig c = Bridges.preset(preset, TOKENIZER.vocabSize());
        Bridge b = (Bridge) org.vlm4j.model.Families.family(c.family()).create(c, TOKENIZER, seed);
        b.loadVision(CLIP.visual());
        b.loadLanguageModel(LM.decoder());
        return b;
    }

    /** What a blind model gets right: {@link BridgeCorpus#blindBaselines}. */
    static double[] blindBaselines() throws IOException {
        return BridgeCorpus.blindBaselines(DATA);
    }

    /** The first colour word and the first shape word of a text: {@link BridgeCorpus#colourShape}. */
    static String colourShape(String caption) {
        return BridgeCorpus.colourShape(caption);
    }
}
