package org.vlm4j.model.contrastive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vlm4j.data.CaptionMix;
import org.vlm4j.data.ImageTextDataset;
import org.vlm4j.data.Shapes;
import org.vlm4j.io.ModelDir;
import org.vlm4j.model.Families;
import org.vlm4j.model.VlmModel;
import org.vlm4j.nn.NoGrad;
import org.vlm4j.text.BpeTrainer;
import org.vlm4j.text.ClipBpeTokenizer;
import org.vlm4j.train.StepMetrics;
import org.vlm4j.train.TrainOptions;
import org.vlm4j.train.Trainer;

/** Llip: caption-conditioned pooling of mixture tokens, trained from scratch, scoring pairs, saved and reloaded. */
class LlipTest {
    @TempDir
    Path tmp;

    /**
     * If the image embedding did not depend on the caption, the score would be linear in the caption embedding:
     * s(i, normalize(t0 + t1)) = (s(i, t0) + s(i, t1)) / |t0 + t1|. With one mixture token the softmax has one
     * entry, so that holds exactly; with eight the caption picks the mixture, and it must not. Scoring a caption
     * alone or among others gives the same value (no leakage between the captions of one batch).
     */
    @Test
    void theCaptionChoosesTheMixtureOnlyWhenThereIsMoreThanOneToken() {
        ClipBpeTokenizer tok = BpeTrainer.of(520).train(List.of("a red circle", "a blue square")).tokenizer();
        for (int k : new int[] {1, 8}) {
            ClipConfig c = ClipPresets.llip(ClipPresets.get("clip-tiny", tok.vocabSize()), k, 4);
            try (Llip model = (Llip) SigLip.create(c, tok, 3); NDManager m = model.manager().newSubManager();
                 NoGrad g = new NoGrad()) {
                int s = c.vision().imageSize();
                assertEquals(new Shape(2, k, c.embedDim()),
                        model.mixtureTokens(m.randomNormal(new Shape(2, 3, s, s))).getShape());
                // distinct tokens (an untrained tower's K pooled tokens are near-identical: uniform attention)
                NDArray tokens = Clip.normalize(m.randomNormal(new Shape(2, k, c.embedDim())));
                NDArray t = Clip.normalize(m.randomNormal(new Shape(2, c.embedDim())));
                NDArray sum = t.get(0).add(t.get(1));
                NDArray texts = NDArrays.stack(new NDList(t.get(0), t.get(1), sum.div(sum.norm())));
                float[] sim = model.similarity(tokens, texts).toFloatArray(); // [2, 3]
                float norm = sum.norm().getFloat();
                double nonLinearity = 0;
                for (int i = 0; i < 2; i++) {
                    nonLinearity += Math.abs(sim[i * 3 + 2] - (sim[i * 3] + sim[i * 3 + 1]) / norm);
                    float alone = model.similarity(tokens.get(i + ":" + (i + 1)), texts.get("1:2")).getFloat();
                    assertEquals(sim[i * 3 + 1], alone, 1e-5f);
                }
                System.out.printf("llip, %d mixture token(s): departure from a caption-free embedding %.3g%n", k,
                        nonLinearity);
                // Untrained, the mixing attention is near uniform (small q.k), so the dependence is small but far
                // above float noise: observed ~1e-8 with one token, ~2e-4 with eight.
                if (k == 1) {
                    assertTrue(nonLinearity < 1e-6, "one token: the embedding cannot depend on the caption, " + nonLinearity);
                } else {
                    assertTrue(nonLinearity > 2e-5, "eight tokens: the caption must choose the mixture, " + nonLinearity);
                }
            }
        }
    }

    @Test
    void trainsFromScratchRanksTheRightClassAndReloadsIdentically() throws Exception {
        Path data = tmp.resolve("shapes");
        Shapes.Config cfg = Shapes.Config.of(2000, 11).withVocabulary(3, 2);
        Shapes.generate(data, cfg);
        ClipBpeTokenizer tok = BpeTrainer.of(540).trainFiles(List.of(data.resolve("train.tsv"))).tokenizer();
        Families.Preset preset = Families.preset("llip-tiny");
        assertEquals(Llip.FAMILY, preset.family());
        try (Llip model = (Llip) SigLip.create((ClipConfig) preset.config(tok.vocabSize()), tok, 5)) {
            TrainOptions o = new TrainOptions(160, 32, 2e-3f, 0.1f, 16, 1f, 1, 160, 1, 5, 5, 4)
                    .withCaptionMix(CaptionMix.parse("short:0.75"));
            Trainer.Result r = new Trainer(o, null).fit(model, ImageTextDataset.open(data.resolve("train.tsv").toString()),
                    tmp.resolve("run"), false);
            double first = r.history().subList(0, 10).stream().mapToDouble(StepMetrics::loss).average().orElseThrow();
            double last = r.history().subList(150, 160).stream().mapToDouble(StepMetrics::loss).average().orElseThrow();
            assertTrue(last < 0.6 * first, "loss " + first + " -> " + last);

            // zero-shot by the caption-conditioned score: each val image against "a large/small <colour> <shape>"
            List<String> classes = cfg.classNames();
            List<String> prompts = new ArrayList<>();
            for (String c : classes) {
                prompts.add("a large " + c);
                prompts.add("a small " + c);
            }
            List<String> lines = Files.readAllLines(data.resolve("val.tsv"));
            List<String> header = List.of(lines.get(0).split("\t"));
            int n = Math.min(200, lines.size() - 1);
            int s = model.config().vision().imageSize();
            float[] px = new float[n * 3 * s * s];
            int[] truth = new int[n];
            for (int i = 0; i < n; i++) {
                String[] f = lines.get(i + 1).split("\t");
                float[] one = model.preprocessor().preprocess(data.resolve(f[header.indexOf("image")]));
                System.arraycopy(one, 0, px, i * one.length, one.length);
                truth[i] = classes.indexOf(f[header.indexOf("color")] + " " + f[header.indexOf("shape")]);
            }
            float[][] scores = model.score(px, n, s, s, prompts);
            int right = 0;
            for (int i = 0; i < n; i++) {
                int best = 0;
                for (int j = 1; j < prompts.size(); j++) {
                    if (scores[i][j] > scores[i][best]) {
                        best = j;
                    }
                }
                right += best / 2 == truth[i] ? 1 : 0;
            }
            double top1 = right / (double) n;
            System.out.printf("llip-tiny: loss %.3f -> %.3f, zero-shot top-1 by conditioned score %.3f (n=%d, chance %.3f)%n",
                    first, last, top1, n, 1.0 / classes.size());
            // Observed 0.865 (seed 5; 160 steps of batch 32). clip-tiny on the same run gives 0.99 at this seed but
            // 0.85 and 0.42 at seeds 6 and 7: in this budget both are seed-sensitive, so the bar is well above chance
            // (1/6) rather than at the quickstart's 90%. Which pooling is better is issue 8's llip-vs-clip experiment.
            assertTrue(top1 > 0.6, "zero-shot top-1 " + top1);

            Path dir = tmp.resolve("model");
            ModelDir.save(model, dir);
            try (VlmModel loaded = ModelDir.load(dir)) {
                Llip back = assertInstanceOf(Llip.class, loaded);
                float[] few = java.util.Arrays.copyOf(px, 4 * 3 * s * s);
                float[][] a = model.score(few, 4, s, s, prompts);
                float[][] b = back.score(few, 4, s, s, prompts);
                for (int i = 0; i < 4; i++) {
                    assertArrayEquals(a[i], b[i]);
                }
            }
        }
    }
}
