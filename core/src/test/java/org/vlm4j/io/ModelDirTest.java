package org.vlm4j.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vlm4j.model.VlmModel;
import org.vlm4j.model.contrastive.Clip;
import org.vlm4j.model.contrastive.ClipPresets;
import org.vlm4j.testing.Fixtures;

class ModelDirTest {
    @TempDir
    Path dir;

    static float[] randomPixels(int n, int size, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] p = new float[n * 3 * size * size];
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) (r.nextDouble() * 4 - 2);
        }
        return p;
    }

    @Test
    void vitB32ShapedModelSavesAndReloadsIdentically() throws Exception {
        float[] pixels = randomPixels(2, 224, 3);
        long[][] ids = {{49406, 320, 1125, 539, 320, 2368, 49407}, {49406, 736, 7117, 49407, 0, 0, 0}};
        float[][] img;
        float[][] txt;
        Path out = dir.resolve("vitb32");
        try (Clip model = new Clip(ClipPresets.vitB32(), null, 42)) {
            assertTrue(model.parameterCount() > 150_000_000L, "ViT-B/32 has ~151M parameters");
            img = model.encodePixels(pixels, 2, 224, 224);
            txt = model.encodeTokenIds(ids);
            ModelDir.save(model, out);
        }
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "only the model directory remains, no temporary");
        }
        try (VlmModel loaded = ModelDir.load(out)) {
            Clip clip = (Clip) loaded;
            assertEquals(ClipPresets.vitB32(), clip.config());
            assertEquals(0.0, Fixtures.maxAbsDiff(img, clip.encodePixels(pixels, 2, 224, 224)));
            assertEquals(0.0, Fixtures.maxAbsDiff(txt, clip.encodeTokenIds(ids)));
        }
    }

    @Test
    void configMissingAFieldIsNamed() throws Exception {
        Path out = dir.resolve("tiny");
        try (Clip model = new Clip(ClipPresets.tiny(), null, 1)) {
            ModelDir.save(model, out);
        }
        Path cfg = out.resolve("config.json");
        Files.writeString(cfg, Files.readString(cfg).replaceFirst("\"patch_size\" : 8,", ""));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelDir.load(out));
        assertTrue(e.getMessage().contains("config.json") && e.getMessage().contains("vision.patch_size"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ModelDir.load(dir.resolve("nope")));
        assertTrue(e.getMessage().contains("nope") && e.getMessage().contains("does not exist"), e.getMessage());
    }

    @Test
    void convStemModelRoundTripsAndOldConfigsLoadWithoutTheField() throws Exception {
        float[] pixels = randomPixels(2, 64, 5);
        long[][] ids = {{49406, 320, 49407}};
        Path out = dir.resolve("stem");
        float[][] img;
        try (Clip model = new Clip(ClipPresets.get("clip-tiny"), null, 3)) {
            assertEquals(java.util.List.of(32, 64, 128), model.config().vision().convStem());
            assertTrue(model.module().namedParams().containsKey("visual.conv_stem.2.norm.weight"));
            img = model.encodePixels(pixels, 2, 64, 64);
            ModelDir.save(model, out);
        }
        assertTrue(Files.readString(out.resolve("config.json")).contains("\"conv_stem\""));
        try (VlmModel loaded = ModelDir.load(out)) {
            assertEquals(0.0, Fixtures.maxAbsDiff(img, ((Clip) loaded).encodePixels(pixels, 2, 64, 64)));
        }
        // a model directory written before conv_stem existed: no such field, the classic patchify stem
        Path old = dir.resolve("old");
        float[][] txt;
        try (Clip model = new Clip(ClipPresets.tiny(), null, 1)) {
            txt = model.encodeTokenIds(ids);
            ModelDir.save(model, old);
        }
        String json = Files.readString(old.resolve("config.json"));
        assertTrue(!json.contains("conv_stem"), "an empty stem is not written");
        try (VlmModel loaded = ModelDir.load(old)) {
            assertEquals(java.util.List.of(), ((Clip) loaded).config().vision().convStem());
            assertEquals(0.0, Fixtures.maxAbsDiff(txt, ((Clip) loaded).encodeTokenIds(ids)));
        }
        // a stem whose stride does not give the patch size is refused with the reason
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClipPresets.tiny().vision().withConvStem(java.util.List.of(16, 32)));
        assertTrue(e.getMessage().contains("patch_size must be 4"), e.getMessage());
    }
}
