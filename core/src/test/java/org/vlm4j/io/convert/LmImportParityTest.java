package org.vlm4j.io.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vlm4j.io.ModelDir;
import org.vlm4j.io.SafeTensors;
import org.vlm4j.io.TensorData;
import org.vlm4j.model.VlmModel;
import org.vlm4j.model.lm.LanguageModel;
import org.vlm4j.testing.Fixtures;

/**
 * GPT-2 and Llama checkpoints in HuggingFace's key layout (tiny, random weights, written by
 * fixtures/lm/make_lm_fixtures.py with its own plain-PyTorch forward passes in float64) import and give the reference
 * logits to 1e-4; the key maps export what they import; bad checkpoints are named.
 */
class LmImportParityTest {
    static final Path LM = Path.of("src/test/resources/fixtures/lm").toAbsolutePath();

    @TempDir
    Path dir;

    static double parity(LanguageModel model, Path expectedFile) throws Exception {
        JsonNode expected = new ObjectMapper().readTree(expectedFile.toFile());
        long[][] ids = Fixtures.longMatrix(expected.get("input_ids"));
        double worst = 0;
        for (int i = 0; i < ids.length; i++) {
            float[][] ref = Fixtures.matrix(expected.get("logits").get(i));
            worst = Math.max(worst, Fixtures.maxAbsDiff(ref, model.logits(ids[i])));
        }
        return worst;
    }

    @Test
    void gpt2ImportsWithTransposedConv1dAndMatchesTheReference() throws Exception {
        Path d = LM.resolve("gpt2");
        try (LanguageModel m = LmImporter.load(LmImporter.Format.GPT2, d.resolve("model.safetensors"),
                d.resolve("config.json"), null)) {
            assertTrue(m.config().decoder().tiedHead() && !m.config().decoder().rope());
            double diff = parity(m, d.resolve("expected.json"));
            System.out.println("GPT-2 import: max |logit - reference| = " + diff);
            assertTrue(diff < 1e-4, "GPT-2 logits differ by " + diff);
            // export writes the HF names back (Conv1D transposed again) and reimports to the same logits
            Map<String, TensorData> exported = new HfGpt2Keys("transformer.").export(m);
            assertEquals(28, exported.size(),
                    "wte, wpe, ln_f x2 + 2 layers x 12 (the mask buffer is not written)");
            SafeTensors.write(dir.resolve("re.safetensors"), exported, Map.of("format", "pt"));
            try (LanguageModel again = LmImporter.load(LmImporter.Format.GPT2, dir.resolve("re.safetensors"),
                    d.resolve("config.json"), null)) {
                assertEquals(0.0, parity(again, d.resolve("expected.json")) - diff, 1e-7);
            }
            // saved as a vlm4j model directory and loaded back: the same logits
            ModelDir.save(m, dir.resolve("gpt2"));
            try (VlmModel loaded = ModelDir.load(dir.resolve("gpt2"))) {
                assertEquals(diff, parity((LanguageModel) loaded, d.resolve("expected.json")), 0.0);
            }
        }
    }

    @Test
    void llamaImportsGroupedQueryRopeRmsSwigluAndMatchesTheReference() throws Exception {
        Path d = LM.resolve("llama");
        try (LanguageModel m = LmImporter.load(LmImporter.Format.LLAMA, d.resolve("model.safetensors"),
                d.resolve("config.json"), null)) {
            assertEquals(2, m.config().decoder().kvHeads());
            assertTrue(m.config().decoder().rope() && !m.config().decoder().tiedHead());
            double diff = parity(m, d.resolve("expected.json"));
            System.out.println("Llama import: max |logit - reference| = " + diff);
            assertTrue(diff < 1e-4, "Llama logits differ by " + diff);
            ModelDir.save(m, dir.resolve("llama"));
            String cfg = Files.readString(dir.resolve("llama/config.json"));
            assertTrue(cfg.contains("\"positions\" : \"rope\"") && cfg.contains("\"kv_heads\" : 2"), cfg);
            try (VlmModel loaded = ModelDir.load(dir.resolve("llama"))) {
                assertEquals(diff, parity((LanguageModel) loaded, d.resolve("expected.json")), 0.0);
            }
        }
    }

    @Test
    void badCheckpointsAreNamed() throws Exception {
        Path d = LM.resolve("llama");
        Map<String, TensorData> t = new LinkedHashMap<>();
        try (SafeTensors st = SafeTensors.open(d.resolve("model.safetensors"))) {
            for (String n : st.names()) {
                t.put(n, TensorData.ofFloats(st.get(n).toFloats(), st.get(n).shape()));
            }
        }
        Map<String, TensorData> missing = new LinkedHashMap<>(t);
        missing.remove("model.layers.1.mlp.up_proj.weight");
        SafeTensors.write(dir.resolve("missing.safetensors"), missing, Map.of());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LmImporter.load(
                LmImporter.Format.LLAMA, dir.resolve("missing.safetensors"), d.resolve("config.json"), null));
        assertTrue(e.getMessage().contains("model.layers.1.mlp.up_proj.weight"), e.getMessage());

        Map<String, TensorData> wrong = new LinkedHashMap<>(t);
        wrong.put("model.layers.0.self_attn.k_proj.weight", TensorData.ofFloats(new float[32 * 32], new long[] {32,
                32}));
        SafeTensors.write(dir.resolve("wrong.safetensors"), wrong, Map.of());
        e = assertThrows(IllegalArgumentException.class, () -> LmImporter.load(LmImporter.Format.LLAMA,
                dir.resolve("wrong.safetensors"), d.resolve("config.json"), null));
        assertTrue(e.getMessage().contains("k_proj.weight") && e.getMessage().contains("[32, 32]"), e.getMessage());

        Path scaled = dir.resolve("config.json");
        Files.writeString(scaled, Files.readString(d.resolve("config.json")).replace("\"rope_scaling\": null",
                "\"rope_scaling\": {\"type\": \"linear\", \"factor\": 2.0}"));
        e = assertThrows(IllegalArgumentException.class, () -> LmImporter.config(LmImporter.Format.LLAMA, scaled));
        assertTrue(e.getMessage().contains("rope_scaling"), e.getMessage());
    }
}
