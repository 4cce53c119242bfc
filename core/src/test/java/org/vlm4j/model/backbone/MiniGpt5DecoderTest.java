package org.vlm4j.model.backbone;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.vlm4j.data.ImageTextDataset;
import org.vlm4j.data.Shapes;
import org.vlm4j.eval.DominantColor;
import org.vlm4j.io.ModelDir;
import org.vlm4j.io.StateDict;
import org.vlm4j.io.TensorData;
import org.vlm4j.model.generative.diffusion.DiffusionModel;
import org.vlm4j.model.generative.diffusion.SamplingConfig;
import org.vlm4j.model.generative.diffusion.TinyDiffusionFixture;
import org.vlm4j.nn.GenerationConfig;
import org.vlm4j.nn.NoGrad;
import org.vlm4j.train.StepMetrics;
import org.vlm4j.train.TrainOptions;
import org.vlm4j.train.Trainer;

/**
 * MiniGPT-5 with a real image decoder: diffusion-tiny as DiffusionEndToEndTest checks it ({@link TinyDiffusionFixture}:
 * 1,000 steps of 32 single-shape 16 px Shapes scenes, 4 colours x 3 shapes, T = 200, its own BPE vocabulary; the same
 * model, built once per test run) is frozen, and a
 * minigpt5-tiny bridge over the fixtures' CLIP tower and LM learns (150 steps) to map its vokens to that decoder's
 * text conditioning. Then: the conditioning's MSE falls; the mapped conditioning of a caption is nearer the decoder's
 * own for that caption than for the same caption in another colour; images the bridge draws from "a large red
 * square" are red far more often than from "a large blue square" (and the other way round); the decoder and LM stay
 * bit-identical; the model directory keeps the decoder and draws the same images after loading.
 *
 * <p>Why 1,000 decoder steps: the decoder's images follow the caption's colour only after 600-1,000 steps of 32
 * (measured: at 300-900 steps, or 1,000 steps of 16, the colour of the samples hardly depends on the caption).
 */
class MiniGpt5DecoderTest {
    static final int DIFFUSION_STEPS = Integer.getInteger("minigpt5.test.diffusion.steps", 1000);
    static final int BRIDGE_STEPS = Integer.getInteger("minigpt5.test.bridge.steps", 150);
    static final int SAMPLES = 16;
    static final int COLORS = 4;

    static Path root;
    static DiffusionModel diffusion;
    static MiniGpt5 bridge;
    static List<StepMetrics> history;
    static Map<String, TensorData> decoderBefore;
    static Map<String, TensorData> lmBefore;

    @BeforeAll
    static void train() throws Exception {
        root = Files.createTempDirectory(BridgeFixtures.ROOT, "minigpt5-");
        long t0 = System.nanoTime();
        TinyDiffusionFixture.Trained decoder = TinyDiffusionFixture.trained(DIFFUSION_STEPS);
        diffusion = decoder.model();
        Path table = decoder.data().resolve("train" + Shapes.ONE_SHAPE_SUFFIX + ".tsv");
        long t1 = System.nanoTime();

        BridgeConfig c = Bridges.preset("minigpt5-tiny", BridgeFixtures.TOKENIZER.vocabSize())
                .withDecoder(diffusion.config());
        bridge = new MiniGpt5(c, BridgeFixtures.TOKENIZER, 4);
        bridge.loadVision(BridgeFixtures.CLIP.visual());
        bridge.loadLanguageModel(BridgeFixtures.LM.decoder());
        Path decoderDir = root.resolve("decoder");
        ModelDir.save(diffusion, decoderDir); // the bridge gets its own copy, as --decoder DIR gives it
        bridge.attachPart(MiniGpt5.DECODER, ModelDir.load(decoderDir));
        decoderBefore = StateDict.of(bridge.decoder().module());
        lmBefore = StateDict.of(bridge.lm());
        TrainOptions b = new TrainOptions(BRIDGE_STEPS, 32, 5e-3f, 0f, 10, 1f, 1, BRIDGE_STEPS, 1, 5, 5, 4);
        history = new Trainer(b, null).fit(bridge, ImageTextDataset.open(table.toString()), root.resolve("bridge-run"),
                false).history();
        System.out.printf("minigpt5 + decoder: diffusion %d steps (shared fixture) %.1f s, bridge %d steps %.1f s%n", DIFFUSION_STEPS,
                (t1 - t0) / 1e9, BRIDGE_STEPS, (System.nanoTime() - t1) / 1e9);
    }

    /** The single-shape scenes (as DiffusionEndToEndTest trains on). */
    @AfterAll
    static void close() {
        if (bridge != null) {
            bridge.close();
        }
        if (diffusion != null) {
            diffusion.close();
        }
    }

    static double mean(List<StepMetrics> h, String term) {
        return h.stream().mapToDouble(s -> s.losses().get(term)).average().orElseThrow();
    }

    @Test
    void conditioningLossFallsAndFrozenPartsStayFrozen() {
        double first = mean(history.subList(0, 10), "voken_loss");
        double last = mean(history.subList(BRIDGE_STEPS - 10, BRIDGE_STEPS), "voken_loss");
        double validFirst = mean(history.subList(0, 10), "voken_valid_loss");
        double validLast = mean(history.subList(BRIDGE_STEPS - 10, BRIDGE_STEPS), "voken_valid_loss");
        System.out.printf("voken_loss %.4f -> %.4f, voken_valid_loss %.4f -> %.4f, caption_loss %.3f -> %.3f%n",
                first, last, validFirst, validLast, mean(history.subList(0, 10), "caption_loss"),
                mean(history.subList(BRIDGE_STEPS - 10, BRIDGE_STEPS), "caption_loss"));
        assertTrue(last < 0.5 * first, "the conditioning MSE falls: " + first + " -> " + last);
        assertTrue(validLast < 0.5 * validFirst, "the validity loss falls: " + validFirst + " -> " + validLast);
        Map<String, TensorData> decoderAfter = StateDict.of(bridge.decoder().module());
        for (Map.Entry<String, TensorData> e : decoderBefore.entrySet()) {
            assertArrayEquals(e.getValue().toFloats(), decoderAfter.get(e.getKey()).toFloats(), e.getKey());
        }
        Map<String, TensorData> lmAfter = StateDict.of(bridge.lm());
        for (Map.Entry<String, TensorData> e : lmBefore.entrySet()) {
            assertArrayEquals(e.getValue().toFloats(), lmAfter.get(e.getKey()).toFloats(), e.getKey());
        }
    }

    /** Squared distance per value between the mapped conditioning of `text` and the decoder's own for `target`. */
    static double distance(String text, String target) {
        DiffusionModel.Conditioning mapped = bridge.decoderConditioning(List.of(text));
        try (NDScope s = new NDScope(); NoGrad g = new NoGrad(); NDManager m = NDManager.newBaseManager()) {
            NDArray[] t = bridge.decoder().conditioning(List.of(target), m);
            float[] states = t[0].toFloatArray();
            float[] valid = t[1].toFloatArray();
            float[] pooled = t[2].toFloatArray();
            int d = pooled.length;
            double sum = 0;
            int n = 0;
            for (int p = 0; p < valid.length; p++) {
                if (valid[p] > 0) {
                    for (int k = 0; k < d; k++) {
                        double e = mapped.states()[p * d + k] - states[p * d + k];
                        sum += e * e;
                        n++;
                    }
                }
            }
            for (int k = 0; k < d; k++) {
                double e = mapped.pooled()[k] - pooled[k];
                sum += e * e;
                n++;
            }
            return sum / n;
        }
    }

    @Test
    void mappedConditioningIsNearestItsOwnText() {
        double own = distance("a large red square", "a large red square");
        double other = distance("a large red square", "a large blue square");
        double ownBlue = distance("a small blue circle", "a small blue circle");
        double otherBlue = distance("a small blue circle", "a small green circle");
        System.out.printf("mapped vs decoder conditioning: large red square %.4f (vs large blue square %.4f), small"
                + " blue circle %.4f (vs small green circle %.4f)%n", own, other, ownBlue, otherBlue);
        assertTrue(own < other, own + " vs " + other);
        assertTrue(ownBlue < otherBlue, ownBlue + " vs " + otherBlue);
    }

    static Map<String, Integer> colours(float[][] images) {
        Map<String, Integer> h = new TreeMap<>();
        for (float[] img : images) {
            h.merge(String.valueOf(DominantColor.of(img, 16, 16, COLORS)), 1, Integer::sum);
        }
        return h;
    }

    static double share(Map<String, Integer> h, String colour) {
        return h.getOrDefault(colour, 0) / (double) SAMPLES;
    }

    @Test
    void imagesDrawnFromTheVokensHaveTheAskedColour() {
        SamplingConfig cfg = SamplingConfig.ddim(25, 3f, 0);
        bridge.decoder().setSampling(cfg);
        GenerationConfig gen = GenerationConfig.greedy(1, java.util.Set.of());
        String redText = "a large red square";
        String blueText = "a large blue square";
        Map<String, Integer> red = colours(bridge.generateImages(Collections.nCopies(SAMPLES, redText), gen));
        Map<String, Integer> blue = colours(bridge.generateImages(Collections.nCopies(SAMPLES, blueText), gen));
        Map<String, Integer> directRed = colours(bridge.decoder().sample(Collections.nCopies(SAMPLES, redText), cfg));
        Map<String, Integer> directBlue = colours(bridge.decoder().sample(Collections.nCopies(SAMPLES, blueText), cfg));
        Map<String, Integer> heldOut = colours(bridge.generateImages(Collections.nCopies(SAMPLES, "a red circle"),
                gen));
        System.out.printf("minigpt5 vokens -> diffusion (DDIM-25, w=3), %d samples: '%s' %s, '%s' %s, 'a red circle'"
                + " (never seen) %s; the decoder from the text itself: %s, %s%n", SAMPLES, redText, red, blueText, blue,
                heldOut, directRed, directBlue);
        assertTrue(share(red, "red") >= 0.5 && share(red, "red") >= share(blue, "red") + 0.3,
                "red from '" + redText + "' " + red + " vs from '" + blueText + "' " + blue);
        assertTrue(share(blue, "blue") >= 0.5 && share(blue, "blue") >= share(red, "blue") + 0.3,
                "blue from '" + blueText + "' " + blue + " vs from '" + redText + "' " + red);
    }

    @Test
    void theModelDirectoryKeepsTheDecoder() throws Exception {
        Path dir = root.resolve("model");
        ModelDir.save(bridge, dir);
        assertTrue(Files.isRegularFile(dir.resolve("decoder/config.json")), "decoder/ saved beside the bridge");
        assertTrue(Files.isDirectory(dir.resolve("decoder/tokenizer")), "with its own tokenizer");
        SamplingConfig cfg = SamplingConfig.ddim(5, 3f, 9);
        GenerationConfig gen = GenerationConfig.greedy(1, java.util.Set.of());
        bridge.decoder().setSampling(cfg);
        float[] before = bridge.generateImages(List.of("a green square"), gen)[0];
        try (MiniGpt5 loaded = (MiniGpt5) ModelDir.load(dir)) {
            loaded.decoder().setSampling(cfg);
            assertArrayEquals(before, loaded.generateImages(List.of("a green square"), gen)[0]);
            assertEquals(16, loaded.imageSize());
        }
        org.vlm4j.io.AtomicFiles.deleteTree(dir.resolve("decoder"));
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> ModelDir.load(dir));
        assertTrue(e.getMessage().contains("decoder"), e.getMessage());
    }
}
