package org.vlm4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vlm4j.io.SafeTensors;
import org.vlm4j.io.TensorData;

/** The command line end to end on the OpenCLIP fixture model, and its answers to bad input. */
class CliTest {
    static final Path FIX = Path.of("../core/src/test/resources/fixtures/openclip").toAbsolutePath().normalize();
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;
    static Path model;

    record Result(int code, String out, String err) {}

    static Result run(Object... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] a = new String[args.length];
        for (int i = 0; i < args.length; i++) {
            a[i] = args[i].toString();
        }
        int code = Main.run(a, new PrintWriter(out), new PrintWriter(err));
        return new Result(code, out.toString(), err.toString());
    }

    @BeforeAll
    static void importFixture() throws Exception {
        model = tmp.resolve("tiny-clip");
        Result r = run("import", "--format", "openclip", "--weights", FIX.resolve("peer-tiny-clip/model.safetensors"),
                "--config", FIX.resolve("model_configs/peer-tiny-clip.json"), "--out", model, "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = JSON.readTree(r.out());
        assertEquals("clip", j.get("family").asText());
        assertTrue(Files.isRegularFile(model.resolve("config.json")));
        assertTrue(Files.isDirectory(model.resolve("tokenizer")));
    }

    static List<String> captions() throws Exception {
        List<String> texts = new ArrayList<>();
        JSON.readTree(FIX.resolve("peer-tiny-clip/tokens.json").toFile()).get("texts").forEach(t -> texts.add(t.asText()));
        return texts;
    }

    @Test
    void tokenizeMatchesOpenClipIds() throws Exception {
        List<Object> args = new ArrayList<>(List.of("tokenize", "--model", model, "--context-length", "16", "--json"));
        for (String t : captions()) {
            args.add("--text");
            args.add(t);
        }
        Result r = run(args.toArray());
        assertEquals(0, r.code(), r.err());
        JsonNode expected = JSON.readTree(FIX.resolve("peer-tiny-clip/tokens.json").toFile()).get("token_ids");
        assertEquals(expected, JSON.readTree(r.out()).get("input_ids"));
    }

    static double maxDiff(float[] a, JsonNode rows) {
        double m = 0;
        int d = rows.get(0).size();
        assertEquals(rows.size() * d, a.length);
        for (int i = 0; i < rows.size(); i++) {
            for (int j = 0; j < d; j++) {
                m = Math.max(m, Math.abs(a[i * d + j] - rows.get(i).get(j).asDouble()));
            }
        }
        return m;
    }

    Path embed(Path modelDir, String name) throws Exception {
        Path pixels = tmp.resolve("pixels.safetensors");
        TensorData images = SafeTensors.readAll(FIX.resolve("tiny_images.safetensors")).get("images");
        SafeTensors.write(pixels, Map.of("pixel_values", images), Map.of());
        Path texts = tmp.resolve("texts.txt");
        Files.write(texts, captions());
        Path out = tmp.resolve(name);
        Result r = run("embed", "--model", modelDir, "--pixels", pixels, "--texts-file", texts, "--out", out, "--json");
        assertEquals(0, r.code(), r.err());
        assertEquals(4, JSON.readTree(r.out()).get("images").asInt());
        return out;
    }

    void assertMatchesOpenClip(Path embeddings) throws Exception {
        JsonNode expected = JSON.readTree(FIX.resolve("peer-tiny-clip/expected.json").toFile()).get("f32");
        Map<String, TensorData> t = SafeTensors.readAll(embeddings);
        assertTrue(maxDiff(t.get("image_embeds").toFloats(), expected.get("image_features")) < 1e-4);
        assertTrue(maxDiff(t.get("text_embeds").toFloats(), expected.get("text_features")) < 1e-4);
        assertTrue(maxDiff(t.get("logits_per_image").toFloats(), expected.get("logits_per_image")) < 1e-4);
    }

    @Test
    void embedFromTextsAndPixelsMatchesOpenClip() throws Exception {
        assertMatchesOpenClip(embed(model, "emb.safetensors"));
    }

    @Test
    void exportToHfAndImportBackGivesSameNumbers() throws Exception {
        Path hf = tmp.resolve("hf-export");
        assertEquals(0, run("export", "--model", model, "--format", "hf", "--out", hf).code());
        Path back = tmp.resolve("from-hf");
        Result r = run("import", "--format", "hf", "--weights", hf.resolve("model.safetensors"), "--config",
                hf.resolve("config.json"), "--out", back);
        assertEquals(0, r.code(), r.err());
        assertMatchesOpenClip(embed(back, "emb-hf.safetensors"));
    }

    @Test
    void classifyGivesProbabilitiesPerImage() throws Exception {
        Path img = FIX.resolve("preprocess/images/webtide_logo.jpg");
        Result r = run("classify", "--model", model, "--labels", "cat,dog,logo", "--template", "a photo of a {}.",
                "--template", "a drawing of a {}.", "--top-k", "3", "--json", img, img);
        assertEquals(0, r.code(), r.err());
        JsonNode results = JSON.readTree(r.out()).get("results");
        assertEquals(2, results.size());
        double sum = 0;
        for (JsonNode l : results.get(0).get("labels")) {
            sum += l.get("probability").asDouble();
        }
        assertEquals(1.0, sum, 1e-5);
        assertEquals(results.get(0).get("labels"), results.get(1).get("labels"), "same image, same answer");
    }

    static void assertCleanError(Result r, String... fragments) {
        assertEquals(1, r.code(), r.out() + r.err());
        String err = r.err().strip();
        assertEquals(1, err.lines().count(), "one line, no stack trace: " + err);
        assertFalse(err.contains("Exception") || err.contains("\tat "), err);
        for (String f : fragments) {
            assertTrue(err.contains(f), "'" + f + "' not in: " + err);
        }
    }

    @Test
    void badInputGivesOneLineErrorsNamingTheFile() throws Exception {
        Path png = FIX.resolve("preprocess/images/synthetic_noise_301x203.png");
        byte[] bytes = Files.readAllBytes(png);
        Path truncated = tmp.resolve("truncated.png");
        Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        assertCleanError(run("classify", "--model", model, "--labels", "a,b", truncated), "truncated.png");

        Path missing = tmp.resolve("no-such-image.jpg");
        assertCleanError(run("classify", "--model", model, "--labels", "a,b", missing), "no-such-image.jpg");

        Path lying = tmp.resolve("lying.safetensors");
        byte[] w = Files.readAllBytes(FIX.resolve("peer-tiny-clip/model.safetensors"));
        Files.write(lying, java.util.Arrays.copyOf(w, w.length - 1000));
        assertCleanError(run("import", "--format", "openclip", "--weights", lying, "--config",
                FIX.resolve("model_configs/peer-tiny-clip.json"), "--out", tmp.resolve("x")), "lying.safetensors");

        Path cfg = tmp.resolve("no-embed-dim.json");
        Files.writeString(cfg, Files.readString(FIX.resolve("model_configs/peer-tiny-clip.json"))
                .replace("\"embed_dim\": 64,", ""));
        assertCleanError(run("import", "--format", "openclip", "--weights", FIX.resolve("peer-tiny-clip/model.safetensors"),
                "--config", cfg, "--out", tmp.resolve("y")), "no-embed-dim.json", "embed_dim");
        assertFalse(Files.exists(tmp.resolve("x")) || Files.exists(tmp.resolve("y")), "no output for failed imports");

        assertCleanError(run("embed", "--model", tmp.resolve("not-a-model"), "--text", "hi", "--out", tmp.resolve("e")),
                "not-a-model");
    }
}
