package org.vlm4j.model.generative;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vlm4j.data.Batch;
import org.vlm4j.image.ImagePreprocessor.PreprocessConfig;
import org.vlm4j.io.ModelDir;
import org.vlm4j.model.Families;
import org.vlm4j.model.VlmModel;
import org.vlm4j.nn.Init;
import org.vlm4j.nn.NoGrad;

/** Shapes of codes and images, bad codes, the loss terms against the inference path, save/load, the registry. */
class VqVaeTest {
    @TempDir
    Path tmp;

    /** 16 px, one stage: an 8x8 grid; the gradient codebook unless emaDecay > 0. */
    static VqVaeConfig small(float emaDecay) {
        float[] half = {0.5f, 0.5f, 0.5f};
        return new VqVaeConfig(VqVae.FAMILY, 16, List.of(8), 1, 4, 4, 16, 0.25f, emaDecay, emaDecay > 0 ? 1f : 0f,
                VqVaeConfig.L2, new PreprocessConfig(16, half, half, "bilinear", "squash", false));
    }

    static float[] pixels(int n, int side, long seed) {
        try (NDManager m = NDManager.newBaseManager()) {
            return new Init(m, seed).normal(0.5, n, 3, side, side).toFloatArray();
        }
    }

    @Test
    void tokenizeGivesAGridOfCodesAndDetokenizeUnitRgbImages() {
        try (VqVae model = new VqVae(VqVaePresets.tiny(), 2)) {
            assertEquals(8, model.gridHeight());
            assertEquals(128, model.codebookSize());
            int[][] codes = model.tokenize(pixels(3, 32, 1), 3, 32, 32);
            assertEquals(3, codes.length);
            for (int[] row : codes) {
                assertEquals(64, row.length);
                for (int c : row) {
                    assertTrue(c >= 0 && c < 128);
                }
            }
            float[][] img = model.detokenize(codes);
            assertEquals(3 * 32 * 32, img[0].length);
            for (float v : img[1]) {
                assertTrue(v >= 0 && v <= 1, "un-normalised and clamped: " + v);
            }
            assertEquals(32, model.detokenizeImages(codes).get(2).getWidth());
            int[][] bad = {codes[0].clone()};
            bad[0][5] = 128;
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.detokenize(bad));
            assertTrue(e.getMessage().contains("image 0, code 5: 128"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> model.detokenize(new int[][] {{1, 2}}));
            assertTrue(e.getMessage().contains("expected 64 codes (8x8), got 2"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> model.tokenize(pixels(1, 16, 1), 1, 16, 16));
            assertTrue(e.getMessage().contains("32x32"), e.getMessage());
        }
    }

    @Test
    void lossTermsMatchTheInferencePathAndAnAuxiliaryTermIsAdded() {
        try (VqVae model = new VqVae(small(0f), 3); NDManager m = NDManager.newBaseManager()) {
            for (var p : model.namedParams().values()) {
                p.array().setRequiresGradient(p.trainable());
            }
            float[] px = pixels(4, 16, 7);
            Batch b = new Batch(px, 4, 16, 16, List.of("a", "b", "c", "d"), List.of(Map.of(), Map.of(), Map.of(),
                    Map.of()), null);
            model.setAuxiliaryLoss("l1_loss", (xr, x) -> xr.sub(x).abs().mean(), 0.5f);
            Map<String, Float> terms;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                terms = model.forwardBackward(List.of(b), gc, m);
            }
            assertEquals(List.of("reconstruction_loss", "codebook_loss", "commitment_loss", "l1_loss"),
                    List.copyOf(terms.keySet()));
            // the same reconstruction through tokenize and decode, without gradient
            double se = 0;
            double ae = 0;
            double latent = 0;
            try (NoGrad g = new NoGrad()) {
                NDArray x = m.create(px, new Shape(4, 3, 16, 16));
                NDArray codes = model.quantizer().encode(model.latents(x));
                float[] xr = model.decode(codes).toFloatArray();
                for (int i = 0; i < px.length; i++) {
                    se += (xr[i] - px[i]) * (xr[i] - px[i]);
                    ae += Math.abs(xr[i] - px[i]);
                }
                NDArray d = model.quantizer().decode(codes).sub(model.latents(x));
                latent = d.mul(d).mean().getFloat();
                int[][] rows = model.tokenize(px, 4, 16, 16);
                assertArrayEquals(rows[1], java.util.Arrays.copyOfRange(
                        java.util.Arrays.stream(codes.toLongArray()).mapToInt(v -> (int) v).toArray(), 64, 128));
            }
            assertEquals(se / px.length, terms.get("reconstruction_loss"), 1e-5);
            assertEquals(0.5 * ae / px.length, terms.get("l1_loss"), 1e-5);
            assertEquals(latent, terms.get("codebook_loss"), 1e-6);
            assertEquals(0.25 * latent, terms.get("commitment_loss"), 1e-6);
            Map<String, Double> metrics = model.stepMetrics();
            assertTrue(metrics.get("perplexity") >= 1 && metrics.get("perplexity") <= 16, metrics.toString());
            assertTrue(metrics.get("codebook_usage") > 0 && metrics.get("codebook_usage") <= 1);
            assertTrue(model.namedParams().get("quantizer.codebook").array().getGradient().abs().sum().getFloat() > 0,
                    "the gradient codebook learns from the codebook loss");
            assertTrue(model.namedParams().get("encoder.down0.weight").array().getGradient().abs().sum().getFloat() > 0,
                    "the encoder learns through the straight-through estimator");
        }
    }

    @Test
    void savedAndReloadedModelsGiveIdenticalCodesAndImages() throws Exception {
        Path dir = tmp.resolve("vq");
        float[] px = pixels(5, 16, 11);
        try (VqVae model = new VqVae(small(0.9f), 4)) {
            // move the EMA statistics off their initial values so that the test sees them saved
            try (NDManager m = NDManager.newBaseManager()) {
                NDArray z = model.latents(m.create(px, new Shape(5, 3, 16, 16)));
                model.quantizer().emaUpdate(z, model.quantizer().encode(z));
            }
            int[][] codes = model.tokenize(px, 5, 16, 16);
            float[][] images = model.detokenize(codes);
            ModelDir.save(model, dir);
            assertFalse(Files.exists(dir.resolve(ModelDir.TOKENIZER)), "a VQ-VAE has no text tokenizer");
            try (VlmModel loaded = ModelDir.load(dir)) {
                VqVae again = assertInstanceOf(VqVae.class, loaded);
                assertNull(again.tokenizer());
                assertEquals(model.config(), again.config());
                assertArrayEquals(codes, again.tokenize(px, 5, 16, 16));
                assertArrayEquals(images[4], again.detokenize(codes)[4]);
                assertArrayEquals(model.namedParams().get("quantizer.ema_cluster_size").array().toFloatArray(),
                        again.namedParams().get("quantizer.ema_cluster_size").array().toFloatArray());
            }
        }
    }

    /**
     * The EMA codebook, its statistics and the dead-code restarts live outside the optimiser: a run resumed from a
     * checkpoint must still end with the weights of an uninterrupted one, bit for bit.
     */
    @Test
    void aResumedRunEndsWithTheWeightsOfAnUninterruptedOne() throws Exception {
        Path data = tmp.resolve("shapes");
        org.vlm4j.data.Shapes.generate(data, org.vlm4j.data.Shapes.Config.of(60, 5).withSize(16));
        var dataset = org.vlm4j.data.ImageTextDataset.open(data.resolve("train.tsv").toString());
        var o = new org.vlm4j.train.TrainOptions(6, 8, 2e-3f, 0f, 1, 1f, 1, 3, 2, 9, 5, 2);
        Path run = tmp.resolve("run");
        Map<String, float[]> straight = new java.util.LinkedHashMap<>();
        try (VqVae model = new VqVae(small(0.9f), 6)) {
            var r = new org.vlm4j.train.Trainer(o, null).fit(model, dataset, run, false);
            assertTrue(r.history().stream().anyMatch(h -> h.metrics().get("dead_code_restarts") > 0),
                    "the run exercises the restarts");
            model.namedParams().forEach((n, p) -> straight.put(n, p.array().toFloatArray()));
        }
        org.vlm4j.io.AtomicFiles.deleteTree(run.resolve("checkpoints/step-00000006"));
        try (VqVae model = new VqVae(small(0.9f), 6)) {
            var r = new org.vlm4j.train.Trainer(o, null).fit(model, dataset, run, true);
            assertEquals(4, r.firstStep(), "resumed from step 3");
            model.namedParams().forEach((n, p) -> assertArrayEquals(straight.get(n), p.array().toFloatArray(), n));
        }
    }

    @Test
    void theFamilyAndPresetAreRegisteredAndConfigsAreChecked() {
        assertFalse(Families.family(VqVae.FAMILY).text(), "image-only: no text tokenizer");
        assertTrue(Families.family("clip").text());
        Families.Preset p = Families.preset("vqvae-tiny");
        assertEquals(VqVae.FAMILY, p.family());
        assertEquals(VqVaePresets.tiny(), p.config(0));
        VqVaeConfig t = VqVaePresets.tiny();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new VqVaeConfig(VqVae.FAMILY, 30,
                t.channels(), 1, 4, 4, 16, 0.25f, 0f, 0f, "l2", t.preprocess()));
        assertTrue(e.getMessage().contains("multiple of 4"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new VqVaeConfig(VqVae.FAMILY, 32, t.channels(), 1, 4, 4, 16,
                0.25f, 0f, 0f, "huber", t.preprocess()));
        assertThrows(IllegalArgumentException.class, () -> new VqVaeConfig(VqVae.FAMILY, 32, t.channels(), 1, 4, 4, 16,
                0.25f, 0f, 1f, "l2", t.preprocess()), "restarts need the EMA codebook");
    }
}
