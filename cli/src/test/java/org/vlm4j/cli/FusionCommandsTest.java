package org.vlm4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The early-fusion model through the CLI: train fusion-tiny on a VQ-VAE's codes, generate-image, info, errors. */
class FusionCommandsTest {
    @TempDir
    Path tmp;

    @Test
    void trainFusionOnAVqVaeAndGenerateAnImage() throws Exception {
        Path s = tmp.resolve("s");
        assertEquals(0, CliTest.run("data", "shapes", "--out", s, "--count", "40", "--size", "32").code());
        Path train = s.resolve("train.tsv");
        Path vq = tmp.resolve("vq");
        assertEquals(0, CliTest.run("train", "--model", "vqvae-tiny", "--data", train, "--out", vq, "--steps", "2",
                "--batch-size", "8").code());
        CliTest.assertCleanError(CliTest.run("train", "--model", "fusion-tiny", "--data", train, "--out",
                tmp.resolve("no"), "--steps", "1"), "--image-tokenizer", "VQ-VAE");
        CliTest.assertCleanError(CliTest.run("train", "--model", "clip-tiny", "--data", train, "--out",
                tmp.resolve("no2"), "--steps", "1", "--image-tokenizer", vq.resolve("model")), "--image-tokenizer");
        Path run = tmp.resolve("fusion");
        CliTest.Result t = CliTest.run("train", "--model", "fusion-tiny", "--image-tokenizer", vq.resolve("model"),
                "--data", train, "--out", run, "--steps", "2", "--batch-size", "8", "--json");
        assertEquals(0, t.code(), t.err());
        Path png = tmp.resolve("red.png");
        CliTest.Result g = CliTest.run("generate-image", "--model", run.resolve("model"), "--text", "a red circle",
                "--out", png, "--json");
        assertEquals(0, g.code(), g.err());
        JsonNode j = CliTest.JSON.readTree(g.out());
        assertEquals("a red circle", j.get("text").asText());
        assertEquals(32, ImageIO.read(png.toFile()).getWidth());
        JsonNode info = CliTest.JSON.readTree(CliTest.run("info", "--model", run.resolve("model"), "--json").out());
        assertTrue(info.get("capabilities").toString().contains("generate-image"), info.toString());
        CliTest.assertCleanError(CliTest.run("generate-image", "--model", vq.resolve("model"), "--text", "a red circle",
                "--out", png), "cannot draw images");
    }
}
