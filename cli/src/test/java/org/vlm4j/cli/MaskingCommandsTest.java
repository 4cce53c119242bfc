package org.vlm4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The masking families through the command line: {@code train --model visualbert-tiny} writes a model directory
 * that {@code fill-mask} and {@code score} read (the contract keys: {@code scores}, one per text, in order;
 * {@code filled} and {@code masks}), and that {@code info} lists as able to score and fill masks. Two training
 * steps: this tests the plumbing; quality is VisualBertTest's.
 */
class MaskingCommandsTest {
    @TempDir
    Path tmp;

    @Test
    void trainFillMaskAndScoreThroughTheCli() throws Exception {
        Path data = tmp.resolve("s");
        assertEquals(0, CliTest.run("data", "shapes", "--out", data, "--count", "30", "--json").code());
        CliTest.Result t = CliTest.run("train", "--model", "visualbert-tiny", "--data", data.resolve("train.tsv"),
                "--out", tmp.resolve("run"), "--steps", "2", "--batch-size", "8", "--vocab-size", "600", "--json");
        assertEquals(0, t.code(), t.err());
        Path model = tmp.resolve("run/model");
        assertEquals("visualbert", CliTest.JSON.readTree(model.resolve("config.json").toFile()).get("family").asText());
        JsonNode info = CliTest.JSON.readTree(CliTest.run("info", "--model", model, "--json").out());
        assertTrue(info.get("capabilities").toString().contains("\"score\""), info.toString());
        assertTrue(info.get("capabilities").toString().contains("fill-mask"), info.toString());

        List<String> rows = Files.readAllLines(data.resolve("val.tsv"));
        Path img = data.resolve(rows.get(1).split("\t")[0]);
        CliTest.Result s = CliTest.run("score", "--model", model, "--image", img, "--text", "a red circle",
                "a blue square", "a green star", "--json");
        assertEquals(0, s.code(), s.err());
        JsonNode scores = CliTest.JSON.readTree(s.out()).get("scores");
        assertEquals(3, scores.size());
        for (JsonNode x : scores) {
            assertTrue(x.asDouble() >= 0 && x.asDouble() <= 1, "an ITM probability: " + x);
        }
        CliTest.Result one = CliTest.run("score", "--model", model, "--image", img, "--text", "a blue square", "--json");
        assertEquals(scores.get(1).asDouble(), CliTest.JSON.readTree(one.out()).get("scores").get(0).asDouble(), 1e-6,
                "a text's score does not depend on the others");

        CliTest.Result f = CliTest.run("fill-mask", "--model", model, "--image", img, "--text",
                "a large [MASK] circle [MASK]", "--top-k", "3", "--json");
        assertEquals(0, f.code(), f.err());
        JsonNode fj = CliTest.JSON.readTree(f.out());
        assertEquals(2, fj.get("masks").size(), fj.toString());
        assertEquals(3, fj.get("masks").get(0).size());
        double p0 = fj.get("masks").get(0).get(0).get("probability").asDouble();
        double p1 = fj.get("masks").get(0).get(1).get("probability").asDouble();
        assertTrue(p0 >= p1 && p0 <= 1, fj.toString());
        assertTrue(fj.get("filled").asText().startsWith("a large " + fj.get("masks").get(0).get(0).get("token").asText()),
                fj.toString());
        CliTest.Result plain = CliTest.run("fill-mask", "--model", model, "--image", img, "--text", "a [MASK] circle");
        assertEquals(0, plain.code(), plain.err());
        assertTrue(plain.out().contains("[MASK] 1:"), plain.out());

        CliTest.assertCleanError(CliTest.run("fill-mask", "--model", model, "--image", img, "--text", "a red circle"),
                "[MASK]");
        CliTest.assertCleanError(CliTest.run("score", "--model", model, "--image", data.resolve("nope.png"), "--text",
                "x"), "nope.png");
        Path clip = tmp.resolve("clip");
        assertEquals(0, CliTest.run("import", "--format", "openclip", "--weights",
                CliTest.FIX.resolve("peer-tiny-clip/model.safetensors"), "--config",
                CliTest.FIX.resolve("model_configs/peer-tiny-clip.json"), "--out", clip).code());
        CliTest.assertCleanError(CliTest.run("score", "--model", clip, "--image", img, "--text", "x"),
                "cannot score");
        CliTest.assertCleanError(CliTest.run("fill-mask", "--model", clip, "--image", img, "--text", "a [MASK]"),
                "cannot fill");
    }
}
