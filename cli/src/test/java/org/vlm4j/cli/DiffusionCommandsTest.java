package org.vlm4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The diffusion model through the CLI on a few steps: train diffusion-tiny, generate-image (DDIM, guidance), eval
 * winoground with its pair score, diffusion-classify with elimination, info, and the errors.
 */
class DiffusionCommandsTest {
    @TempDir
    Path tmp;

    @Test
    void trainGenerateScoreAndClassify() throws Exception {
        Path s = tmp.resolve("s");
        assertEquals(0, CliTest.run("data", "shapes", "--out", s, "--count", "40", "--size", "16", "--winoground",
                "4").code());
        Path run = tmp.resolve("diffusion");
        CliTest.Result t = CliTest.run("train", "--model", "diffusion-tiny", "--data", s.resolve("train.tsv"), "--out",
                run, "--steps", "3", "--batch-size", "8", "--json");
        assertEquals(0, t.code(), t.err());
        assertTrue(CliTest.JSON.readTree(t.out()).get("final_loss").asDouble() > 0);
        Path model = run.resolve("model");

        Path png = tmp.resolve("red.png");
        CliTest.Result g = CliTest.run("generate-image", "--model", model, "--text", "a red circle", "--out", png,
                "--sampling-steps", "4", "--guidance", "2", "--seed", "3", "--json");
        assertEquals(0, g.code(), g.err());
        JsonNode gj = CliTest.JSON.readTree(g.out());
        assertEquals("ddim", gj.get("sampler").asText());
        assertEquals(4, gj.get("sampling_steps").asInt());
        assertEquals(2.0, gj.get("guidance").asDouble());
        assertEquals(16, ImageIO.read(png.toFile()).getWidth());
        CliTest.assertCleanError(CliTest.run("generate-image", "--model", model, "--text", "a red circle", "--out",
                png, "--sampler", "euler"), "sampler must be 'ddpm' or 'ddim'");

        CliTest.Result w = CliTest.run("eval", "winoground", "--model", model, "--data", s.resolve("winoground.tsv"),
                "--json");
        assertEquals(0, w.code(), w.err());
        JsonNode wj = CliTest.JSON.readTree(w.out());
        assertEquals("score", wj.get("similarity").asText());
        assertEquals(4, wj.get("n").asInt());
        for (String k : new String[] {"text_score", "image_score", "group_score"}) {
            assertTrue(wj.get(k).asDouble(-1) >= 0 && wj.get(k).asDouble() <= 1, k + " " + wj);
        }

        CliTest.Result c = CliTest.run("diffusion-classify", "--model", model, "--labels", "red circle,blue square,"
                + "green star", "--template", "a {}", "--rounds", "2:2,4:1", s.resolve("images/train/000000.png"),
                s.resolve("images/train/000001.png"), "--json");
        assertEquals(0, c.code(), c.err());
        JsonNode cj = CliTest.JSON.readTree(c.out());
        assertEquals(2, cj.get("results").size());
        assertEquals(3 * 2 + 2 * 2, cj.get("evaluations_per_image").asDouble());
        assertEquals(12.0, cj.get("exhaustive_evaluations_per_image").asDouble());
        assertEquals(3, cj.get("results").get(0).get("ranking").size());
        assertEquals(cj.get("results").get(0).get("label"), cj.get("results").get(0).get("ranking").get(0));
        CliTest.assertCleanError(CliTest.run("diffusion-classify", "--model", model, "--labels", "a,b", "--rounds",
                "4:2,2:1", s.resolve("images/train/000000.png")), "increasing");

        JsonNode info = CliTest.JSON.readTree(CliTest.run("info", "--model", model, "--json").out());
        assertTrue(info.get("capabilities").toString().contains("generate-image"), info.toString());
        assertTrue(info.get("capabilities").toString().contains("diffusion-classify"), info.toString());
        assertEquals("diffusion", info.get("family").asText());
    }
}
