package org.vlm4j.model.generative;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vlm4j.data.Batch;
import org.vlm4j.io.ModelDir;
import org.vlm4j.model.Families;
import org.vlm4j.model.VlmModel;
import org.vlm4j.nn.GenerationConfig;
import org.vlm4j.nn.Param;
import org.vlm4j.testing.Fixtures;
import org.vlm4j.text.BpeTrainer;
import org.vlm4j.text.ClipBpeTokenizer;

/** The CoCa model: registry, loss terms and gradients, capabilities, and a save / load with identical outputs. */
class CocaTest {
    @TempDir
    Path dir;

    static float[] randomPixels(int n, int size, long seed) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        float[] p = new float[n * 3 * size * size];
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) (r.nextDouble() * 4 - 2);
        }
        return p;
    }

    static ClipBpeTokenizer tokenizer() {
        return BpeTrainer.of(530).train(List.of("a large red circle left of a small blue square",
                "a small green triangle", "a large yellow star above a small red cross")).tokenizer();
    }

    @Test
    void presetIsRegisteredWithOpenClipLossWeights() {
        Families.Preset p = Families.preset("coca-tiny");
        assertEquals(Coca.FAMILY, p.family());
        CocaConfig c = (CocaConfig) p.config(600);
        assertEquals(600, c.text().vocabSize());
        assertEquals(600, c.decoder().vocabSize());
        assertEquals(2.0f, c.captionWeight());
        assertEquals(1.0f, c.contrastiveWeight());
        assertEquals(CocaConfig.class, Families.family(Coca.FAMILY).configClass());
    }

    @Test
    void badConfigsAreNamed() {
        CocaConfig c = CocaPresets.get("coca-tiny", 600);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new CocaConfig(c.family(),
                c.embedDim(), c.vision(), c.text(), new org.vlm4j.nn.DecoderConfig(599, 32, 128, 1, 4, 512,
                        org.vlm4j.nn.Activation.GELU, 1e-5f, true, 128, true), 8, 4, 2f, 1f, 0f, c.preprocess()));
        assertTrue(e.getMessage().contains("decoder.vocab_size 599"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new CocaConfig(c.family(), c.embedDim(), c.vision(),
                c.text(), c.decoder(), 8, 4, 0f, 0f, 0f, c.preprocess()));
        assertTrue(e.getMessage().contains("caption_weight"), e.getMessage());
    }

    /**
     * log p(text | image), CoCa's generative classifier: each pair's score is the sum of the multimodal decoder's
     * log-probabilities of the text's tokens after the start token, end token included, recomputed here token by
     * token from one image at a time; it has no image likelihood.
     */
    @Test
    void scoresTextsByTheirLikelihoodGivenTheImage() {
        ClipBpeTokenizer tok = tokenizer();
        try (Coca model = new Coca(CocaPresets.get("coca-tiny", tok.vocabSize()), tok, 3);
             NDManager m = NDManager.newBaseManager(); org.vlm4j.nn.NoGrad g = new org.vlm4j.nn.NoGrad()) {
            float[] pixels = randomPixels(2, 64, 4);
            List<String> texts = List.of("a small green triangle", "a large red circle left of a small blue square");
            float[][] s = model.score(pixels, 2, 64, 64, texts);
            long[][] ids = tok.tokenize(texts, model.config().text().contextLength());
            for (int i = 0; i < 2; i++) {
                var x = m.create(java.util.Arrays.copyOfRange(pixels, i * 3 * 64 * 64, (i + 1) * 3 * 64 * 64),
                        new ai.djl.ndarray.types.Shape(1, 3, 64, 64));
                var ctx = model.captionContext(model.imageTokens(x));
                for (int j = 0; j < texts.size(); j++) {
                    int end = 1;
                    while (ids[j][end] != tok.eotId()) {
                        end++;
                    }
                    long[] row = java.util.Arrays.copyOf(ids[j], end + 1);
                    float[] lp = model.decoder().logits(m.create(row, new ai.djl.ndarray.types.Shape(1, row.length)),
                            ctx, null).logSoftmax(-1).toFloatArray();
                    int v = model.config().decoder().vocabSize();
                    double want = 0;
                    for (int t = 1; t < row.length; t++) {
                        want += lp[(t - 1) * v + (int) row[t]];
                    }
                    assertEquals(want, s[i][j], 1e-3, "image " + i + ", text " + j);
                }
            }
            assertEquals(Set.of(org.vlm4j.model.LikelihoodScorer.Direction.TEXT_GIVEN_IMAGE), model.directions());
            assertThrows(IllegalArgumentException.class, () -> model.score(pixels, 2, 64, 64, texts,
                    org.vlm4j.model.LikelihoodScorer.Direction.IMAGE_GIVEN_TEXT));
        }
    }

    @Test
    void forwardBackwardReportsWeightedTermsAndReachesEveryPart() {
        ClipBpeTokenizer tok = tokenizer();
        try (Coca model = new Coca(CocaPresets.get("coca-tiny", tok.vocabSize()), tok, 3)) {
            Map<String, Param> params = model.namedParams();
            params.values().forEach(p -> p.array().setRequiresGradient(true));
            float[] pixels = randomPixels(4, 64, 1);
            Batch b = new Batch(pixels, 4, 64, 64, List.of("a large red circle", "a small green triangle",
                    "a large yellow star above a small red cross", "a small blue square"),
                    List.of(Map.of(), Map.of(), Map.of(), Map.of()), null);
            Map<String, Float> terms;
            NDManager base = params.values().iterator().next().array().getManager();
            try (NDScope s = new NDScope(); NDManager m = base.newSubManager();
                 GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                terms = model.forwardBackward(List.of(b), gc, m);
            }
            assertEquals(Set.of("caption_loss", "contrastive_loss"), terms.keySet());
            // at initialisation: CE ~ ln(vocab) (weighted x2), InfoNCE ~ ln(batch)
            double ce = terms.get("caption_loss") / 2;
            assertTrue(Math.abs(ce - Math.log(tok.vocabSize())) < 1.5, "caption CE " + ce);
            assertTrue(Math.abs(terms.get("contrastive_loss") - Math.log(4)) < 1.0, "InfoNCE " + terms);
            for (String name : List.of("visual.patch_embed.weight", "text.token_embed", "contrastive_pool.probe",
                    "visual_proj.weight", "caption_pool.probe", "caption_ln.weight",
                    "decoder.transformer.blocks.0.cross_attn.kv.weight", "decoder.token_embed", "logit_scale")) {
                float norm = params.get(name).array().getGradient().norm().getFloat();
                assertTrue(norm > 0 && Float.isFinite(norm), name + " gradient norm " + norm);
            }
        }
    }

    @Test
    void savesAndReloadsWithIdenticalEmbeddingsAndCaptions() throws Exception {
        ClipBpeTokenizer tok = tokenizer();
        float[] pixels = randomPixels(3, 64, 7);
        List<String> texts = List.of("a large red circle", "a small blue square");
        GenerationConfig beam = GenerationConfig.beam(6, 2, Set.of());
        float[][] img;
        float[][] txt;
        long[][] greedy;
        List<String> beamCaptions;
        Path out = dir.resolve("coca");
        try (Coca model = new Coca(CocaPresets.get("coca-tiny", tok.vocabSize()), tok, 11)) {
            img = model.encodePixels(pixels, 3, 64, 64);
            txt = model.encodeTexts(texts);
            greedy = model.generate(pixels, 3, 64, 64, GenerationConfig.greedy(6, Set.of()));
            beamCaptions = model.caption(pixels, 3, 64, 64, beam);
            assertEquals(3, beamCaptions.size());
            for (long[] row : greedy) {
                assertTrue(row.length >= 1 && row.length <= 6, "1..6 new tokens, got " + row.length);
                for (int i = 0; i < row.length - 1; i++) {
                    assertTrue(row[i] != tok.eotId(), "generation stops at the end-of-text token");
                }
            }
            double norm = 0;
            for (float v : img[0]) {
                norm += v * v;
            }
            assertEquals(1.0, norm, 1e-4, "embeddings are L2-normalised");
            ModelDir.save(model, out);
        }
        assertTrue(Files.readString(out.resolve("config.json")).contains("\"caption_weight\""));
        try (VlmModel loaded = ModelDir.load(out)) {
            Coca coca = assertInstanceOf(Coca.class, loaded);
            assertEquals(Coca.FAMILY, coca.family());
            assertEquals(0.0, Fixtures.maxAbsDiff(img, coca.encodePixels(pixels, 3, 64, 64)));
            assertEquals(0.0, Fixtures.maxAbsDiff(txt, coca.encodeTexts(texts)));
            long[][] again = coca.generate(pixels, 3, 64, 64, GenerationConfig.greedy(6, Set.of()));
            for (int i = 0; i < 3; i++) {
                assertArrayEquals(greedy[i], again[i]);
            }
            assertEquals(beamCaptions, coca.caption(pixels, 3, 64, 64, beam));
        }
    }
}
