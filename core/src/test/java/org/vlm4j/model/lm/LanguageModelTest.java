package org.vlm4j.model.lm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vlm4j.data.WordnetGlosses;
import org.vlm4j.io.ModelDir;
import org.vlm4j.model.Families;
import org.vlm4j.model.VlmModel;
import org.vlm4j.nn.GenerationConfig;
import org.vlm4j.nn.Generator;
import org.vlm4j.nn.NoGrad;
import org.vlm4j.testing.Fixtures;
import org.vlm4j.testing.TinyLm;
import org.vlm4j.train.TrainingCurve;

/**
 * lm-tiny pretrained in the test on WordNet definitions: held-out cross-entropy well below the unigram entropy,
 * deterministic greedy generation whose every token is the argmax of a full recomputation (KV-cache = recompute),
 * and a save / reload with identical logits and generations.
 */
class LanguageModelTest {
    @TempDir
    Path dir;

    /** Cross-entropy (nats per target) of a unigram model fitted to the training targets, on the held-out ones. */
    static double unigramCrossEntropy(LanguageModel lm, List<String> train, List<String> heldOut) {
        Map<Long, Integer> counts = new HashMap<>();
        int total = 0;
        for (String t : train) {
            for (long id : targets(lm, t)) {
                counts.merge(id, 1, Integer::sum);
                total++;
            }
        }
        int v = lm.config().decoder().vocabSize();
        double sum = 0;
        int n = 0;
        for (String t : heldOut) {
            for (long id : targets(lm, t)) {
                sum -= Math.log((counts.getOrDefault(id, 0) + 1.0) / (total + v)); // add-one smoothing
                n++;
            }
        }
        return sum / n;
    }

    /** What the model predicts of a text: its ids after the start token, then the end token. */
    static long[] targets(LanguageModel lm, String text) {
        long[] p = lm.promptIds(text);
        long[] out = java.util.Arrays.copyOfRange(p, 1, p.length + 1);
        out[out.length - 1] = lm.tokenizer().eotId();
        return out;
    }

    static double heldOutLoss(LanguageModel lm, List<String> texts) {
        try (NDScope s = new NDScope(); NoGrad g = new NoGrad(); NDManager m = lm.manager().newSubManager()) {
            return lm.loss(texts, m).getFloat();
        }
    }

    @Test
    void presetIsRegistered() {
        Families.Preset p = Families.preset("lm-tiny");
        assertEquals(LanguageModel.FAMILY, p.family());
        LmConfig c = (LmConfig) p.config(777);
        assertEquals(777, c.decoder().vocabSize());
        assertTrue(c.decoder().tiedHead() && !c.decoder().crossAttention());
        assertEquals(LmConfig.class, Families.family(LanguageModel.FAMILY).configClass());
    }

    @Test
    void pretrainsOnWordnetGeneratesWithTheCacheAndReloads() throws Exception {
        assertTrue(WordnetGlosses.available(), "needs Debian's wordnet-base (/usr/share/wordnet): .ci/run installs it");
        List<String> glosses = TinyLm.glosses();
        assertEquals(3200, glosses.size());
        List<String> train = glosses.subList(0, 3000);
        List<String> heldOut = glosses.subList(3000, 3200);
        long t0 = System.nanoTime();
        try (LanguageModel lm = TinyLm.pretrain(train, 600, 200, dir.resolve("work"))) {
            double secs = (System.nanoTime() - t0) / 1e9;
            double unigram = unigramCrossEntropy(lm, train, heldOut);
            double model = heldOutLoss(lm, heldOut);
            List<String> metrics = Files.readAllLines(dir.resolve("work/run/metrics.jsonl"));
            System.out.printf("lm-tiny on WordNet: %d steps in %.1f s; held-out CE %.3f nats vs unigram %.3f;"
                    + " ln V = %.3f; first %s%n last %s%n", metrics.size(), secs, model, unigram,
                    Math.log(lm.tokenizer().vocabSize()), metrics.get(0), metrics.get(metrics.size() - 1));
            assertTrue(model < unigram - 0.5, "held-out CE " + model + " vs unigram " + unigram);

            // greedy generation: deterministic, and each token is the argmax of the uncached forward pass
            GenerationConfig greedy = GenerationConfig.greedy(12, Set.of());
            LanguageModel.Completion c = lm.complete("the act of", greedy);
            LanguageModel.Completion again = lm.complete("the act of", greedy);
            assertEquals(c.text(), again.text(), "deterministic");
            assertArrayEquals(c.tokens(), again.tokens(), "deterministic");
            for (String p : List.of("the act of", "a person who", "a small")) {
                System.out.println(p + " -> " + lm.complete(p, greedy).text());
            }
            assertTrue(!c.text().isBlank(), "generates something");
            long[] prompt = lm.promptIds("the act of");
            long[] seq = java.util.Arrays.copyOf(prompt, prompt.length + c.tokens().length);
            System.arraycopy(c.tokens(), 0, seq, prompt.length, c.tokens().length);
            float[][] full = lm.logits(seq);
            for (int i = prompt.length; i < seq.length; i++) {
                double[] lp = new double[full[i - 1].length];
                for (int k = 0; k < lp.length; k++) {
                    lp[k] = full[i - 1][k];
                }
                int best = 0;
                for (int k = 1; k < lp.length; k++) {
                    best = lp[k] > lp[best] ? k : best;
                }
                assertEquals(best, (int) seq[i], "token " + i + " is the argmax of the full recomputation");
            }

            Path out = dir.resolve("lm");
            ModelDir.save(lm, out);
            try (VlmModel loaded = ModelDir.load(out)) {
                LanguageModel reloaded = assertInstanceOf(LanguageModel.class, loaded);
                assertEquals(0.0, Fixtures.maxAbsDiff(full, reloaded.logits(seq)), "identical logits after reload");
                assertEquals(c.text(), reloaded.complete("the act of", greedy).text());
                assertArrayEquals(c.tokens(), reloaded.complete("the act of", greedy).tokens());
            }
        }
    }
}
