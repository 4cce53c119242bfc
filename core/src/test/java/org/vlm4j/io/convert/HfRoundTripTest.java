package org.vlm4j.io.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.vlm4j.io.SafeTensors;
import org.vlm4j.model.contrastive.Clip;
import org.vlm4j.model.contrastive.ClipConfig;
import org.vlm4j.model.contrastive.SigLip;
import org.vlm4j.nn.Activation;
import org.vlm4j.nn.TextConfig;
import org.vlm4j.nn.VisionConfig;
import org.vlm4j.testing.Fixtures;

/**
 * The OpenCLIP fixtures exported under HF CLIPModel names and imported with the HF format give the OpenCLIP numbers;
 * a SigLIP-layout model (MAP head, no class token) survives the HF SiglipModel layout both ways.
 */
class HfRoundTripTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"peer-tiny-clip", "peer-tiny-sigmoid"})
    void openClipFixtureThroughHfKeysGivesSameNumbers(String name) throws Exception {
        JsonNode expected = Fixtures.json(name + "/expected.json").get("f32");
        long[][] ids = Fixtures.longMatrix(Fixtures.json(name + "/tokens.json").get("token_ids"));
        float[] pixels = SafeTensors.readAll(Fixtures.openclip("tiny_images.safetensors")).get("images").toFloats();
        try (Clip src = ClipImporter.load(ClipImporter.Format.OPENCLIP, Fixtures.openclip(name + "/model.safetensors"),
                Fixtures.openclip("model_configs/" + name + ".json"), null)) {
            ClipImporter.export(src, ClipImporter.Format.HF, dir);
        }
        try (SafeTensors st = SafeTensors.open(dir.resolve("model.safetensors"))) {
            assertTrue(st.contains("vision_model.encoder.layers.1.self_attn.k_proj.weight"));
            assertTrue(st.contains("text_projection.weight"));
        }
        try (Clip hf = ClipImporter.load(ClipImporter.Format.HF, dir.resolve("model.safetensors"),
                dir.resolve("config.json"), null)) {
            float[][] img = hf.encodePixels(pixels, 4, 32, 32);
            float[][] txt = hf.encodeTokenIds(ids);
            assertTrue(Fixtures.maxAbsDiff(img, Fixtures.matrix(expected.get("image_features"))) < 1e-4);
            assertTrue(Fixtures.maxAbsDiff(txt, Fixtures.matrix(expected.get("text_features"))) < 1e-4);
            assertTrue(Fixtures.maxAbsDiff(hf.logits(img, txt), Fixtures.matrix(expected.get("logits_per_image"))) < 1e-4);
        }
    }

    static ClipConfig tinySiglip() {
        VisionConfig v = new VisionConfig(32, 8, 48, 2, 3, 96, Activation.GELU_TANH, 1e-6f, false, true, false, "map", 0,
                false, false, 0f);
        TextConfig t = new TextConfig(49408, 16, 48, 2, 3, 96, Activation.GELU_TANH, 1e-6f, false, "last", 48, true,
                false, 0f);
        return new ClipConfig(SigLip.FAMILY, 48, v, t, (float) Math.log(10), -10f,
                org.vlm4j.image.ImagePreprocessor.PreprocessConfig.siglip(32));
    }

    @Test
    void siglipLayoutRoundTripsThroughHfSiglipKeys() throws Exception {
        float[] pixels = SafeTensors.readAll(Fixtures.openclip("tiny_images.safetensors")).get("images").toFloats();
        long[][] ids = {{49406, 320, 1125, 49407, 0, 0}, {49406, 2368, 49407, 0, 0, 0}};
        float[][] img;
        float[][] txt;
        try (Clip model = new SigLip(tinySiglip(), null, 7)) {
            img = model.encodePixels(pixels, 4, 32, 32);
            txt = model.encodeTokenIds(ids);
            ClipImporter.export(model, ClipImporter.Format.HF, dir);
        }
        JsonNode cfg = ClipImporter.readJson(dir.resolve("config.json"));
        assertEquals("siglip", cfg.get("model_type").asText());
        try (SafeTensors st = SafeTensors.open(dir.resolve("model.safetensors"))) {
            assertEquals(List.of(144L, 48L), toList(st.entry("vision_model.head.attention.in_proj_weight").shape()));
            assertEquals(List.of(1L, 1L, 48L), toList(st.entry("vision_model.head.probe").shape()));
            assertEquals(List.of(1L), toList(st.entry("logit_bias").shape()));
        }
        try (Clip back = ClipImporter.load(ClipImporter.Format.HF, dir.resolve("model.safetensors"),
                dir.resolve("config.json"), null)) {
            assertEquals(SigLip.FAMILY, back.family());
            assertEquals(0.0, Fixtures.maxAbsDiff(img, back.encodePixels(pixels, 4, 32, 32)));
            assertEquals(0.0, Fixtures.maxAbsDiff(txt, back.encodeTokenIds(ids)));
            assertEquals(-10f, back.logitBiasValue());
        }
    }

    @Test
    void wrongShapeAndMissingKeysNameTheKey() throws Exception {
        try (Clip model = new SigLip(tinySiglip(), null, 7)) {
            ClipImporter.export(model, ClipImporter.Format.HF, dir);
        }
        // Claim a wider text tower than the weights have.
        String cfg = Files.readString(dir.resolve("config.json")).replace("\"intermediate_size\" : 96", "\"intermediate_size\" : 100");
        Files.writeString(dir.resolve("config.json"), cfg);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClipImporter.load(
                ClipImporter.Format.HF, dir.resolve("model.safetensors"), dir.resolve("config.json"), null).close());
        assertTrue(e.getMessage().contains("mlp.fc1.weight") && e.getMessage().contains("[96, 48]")
                && e.getMessage().contains("[100, 48]"), e.getMessage());

        Files.writeString(dir.resolve("bad.json"), "{\"vision_cfg\": {}, \"text_cfg\": {}}");
        e = assertThrows(IllegalArgumentException.class,
                () -> ClipImporter.config(ClipImporter.Format.OPENCLIP, dir.resolve("bad.json")));
        assertTrue(e.getMessage().contains("bad.json") && e.getMessage().contains("'embed_dim'"), e.getMessage());
    }

    static List<Long> toList(long[] a) {
        return java.util.Arrays.stream(a).boxed().toList();
    }
}
