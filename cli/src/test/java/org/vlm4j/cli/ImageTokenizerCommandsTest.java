package org.vlm4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vlm4j.io.ModelDir;
import org.vlm4j.model.generative.VqVae;

/**
 * The VQ-VAE through the CLI: train vqvae-tiny (no vocabulary), tokenize-image, detokenize-image (the same codes and
 * pictures as the Java API), eval reconstruction, info, and the errors for bad codes files and flags.
 */
class ImageTokenizerCommandsTest {
    @TempDir
    Path tmp;

    @Test
    void trainTokenizeDetokenizeAndEvaluate() throws Exception {
        Path s = tmp.resolve("s");
        CliTest.Result d = CliTest.run("data", "shapes", "--out", s, "--count", "40", "--size", "32", "--json");
        assertEquals(0, d.code(), d.err());
        Path run = tmp.resolve("run");
        CliTest.Result t = CliTest.run("train", "--model", "vqvae-tiny", "--data", s.resolve("train.tsv"), "--out", run,
                "--steps", "3", "--batch-size", "8", "--json");
        assertEquals(0, t.code(), t.err());
        assertFalse(Files.exists(run.resolve("tokenizer")), "an image-only family fits no vocabulary");
        Path model = run.resolve("model");
        assertEquals("vqvae", CliTest.JSON.readTree(model.resolve("config.json").toFile()).get("family").asText());
        List<String> lines = Files.readAllLines(run.resolve("metrics.jsonl"));
        assertEquals(3, lines.size());
        JsonNode step = CliTest.JSON.readTree(lines.get(2));
        assertTrue(step.get("losses").has("reconstruction_loss") && step.get("losses").has("commitment_loss"), lines.get(2));
        assertTrue(step.get("metrics").get("perplexity").asDouble() >= 1, lines.get(2));
        CliTest.assertCleanError(CliTest.run("train", "--model", "vqvae-tiny", "--data", s.resolve("train.tsv"), "--out",
                tmp.resolve("r2"), "--steps", "1", "--tokenizer", "clip"), "--tokenizer", "reads no text");

        Path a = s.resolve("images/val/000000.png");
        Path b = s.resolve("images/val/000001.png");
        Path codesFile = tmp.resolve("codes.json");
        CliTest.Result tok = CliTest.run("tokenize-image", "--model", model, a, b, "--out", codesFile, "--json");
        assertEquals(0, tok.code(), tok.err());
        JsonNode doc = CliTest.JSON.readTree(tok.out());
        assertEquals(CliTest.JSON.readTree(codesFile.toFile()), doc, "--out holds what --json prints");
        assertEquals(List.of(8, 8), List.of(doc.get("grid").get(0).asInt(), doc.get("grid").get(1).asInt()));
        assertEquals(a.toString(), doc.get("results").get(0).get("image").asText());
        int[][] cli = new int[2][64];
        for (int i = 0; i < 2; i++) {
            JsonNode rows = doc.get("results").get(i).get("codes");
            assertEquals(8, rows.size());
            for (int r = 0; r < 8; r++) {
                for (int c = 0; c < 8; c++) {
                    cli[i][r * 8 + c] = rows.get(r).get(c).asInt();
                }
            }
        }
        Path outDir = tmp.resolve("decoded");
        CliTest.Result det = CliTest.run("detokenize-image", "--model", model, "--codes", codesFile, "--out", outDir,
                "--json");
        assertEquals(0, det.code(), det.err());
        JsonNode res = CliTest.JSON.readTree(det.out()).get("results");
        assertEquals(2, res.size());
        assertEquals(b.toString(), res.get(1).get("image").asText());
        try (VqVae api = (VqVae) ModelDir.load(model)) {
            assertArrayEquals(api.tokenizeFiles(List.of(a, b)), cli, "the CLI's codes are the Java API's");
            float[][] px = api.detokenize(cli);
            for (int i = 0; i < 2; i++) {
                BufferedImage png = ImageIO.read(outDir.resolve(String.format("%06d.png", i)).toFile());
                assertEquals(32, png.getWidth());
                assertEquals(32, png.getHeight());
                for (int y = 0; y < 32; y += 7) {
                    for (int x = 0; x < 32; x += 5) {
                        int rgb = png.getRGB(x, y);
                        assertEquals(px[i][y * 32 + x] * 255, (rgb >> 16) & 0xff, 0.51, "red at " + x + "," + y);
                        assertEquals(px[i][2 * 1024 + y * 32 + x] * 255, rgb & 0xff, 0.51, "blue at " + x + "," + y);
                    }
                }
            }
        }
        // a single entry to a .png file; several entries need a directory
        Path one = tmp.resolve("one.json");
        assertEquals(0, CliTest.run("tokenize-image", "--model", model, a, "--out", one).code());
        Path png = tmp.resolve("one.png");
        assertEquals(0, CliTest.run("detokenize-image", "--model", model, "--codes", one, "--out", png).code());
        assertEquals(32, ImageIO.read(png.toFile()).getWidth());
        CliTest.assertCleanError(CliTest.run("detokenize-image", "--model", model, "--codes", codesFile, "--out",
                tmp.resolve("x.png")), "holds 2 images");
        Path bad = tmp.resolve("bad.json");
        Files.writeString(bad, Files.readString(one).replaceFirst("\\[ *\\[ *\\d+", "[[999"));
        CliTest.assertCleanError(CliTest.run("detokenize-image", "--model", model, "--codes", bad, "--out", outDir),
                bad.toString(), "results[0].codes[0][0]", "999");
        Files.writeString(bad, "{\"results\": [{\"codes\": [[1, 2]]}]}");
        CliTest.assertCleanError(CliTest.run("detokenize-image", "--model", model, "--codes", bad, "--out", outDir),
                "expected 8 rows of 8 codes, got 1 rows");
        CliTest.assertCleanError(CliTest.run("tokenize-image", "--model", model, tmp.resolve("none.png")),
                "none.png", "does not exist");
        Path corrupt = tmp.resolve("corrupt.png");
        Files.write(corrupt, new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
        CliTest.assertCleanError(CliTest.run("tokenize-image", "--model", model, a, corrupt), "corrupt.png");
        CliTest.assertCleanError(CliTest.run("tokenize-image", "--model", s.resolve("train.tsv"), a), "train.tsv");

        CliTest.Result ev = CliTest.run("eval", "reconstruction", "--model", model, "--data", s.resolve("val.tsv"),
                "--json");
        assertEquals(0, ev.code(), ev.err());
        JsonNode e = CliTest.JSON.readTree(ev.out());
        assertEquals(4, e.get("n").asInt());
        for (String key : List.of("psnr", "mean_colour_psnr", "codebook_usage", "perplexity")) {
            assertTrue(e.get(key).isNumber(), key + " in " + ev.out());
        }
        JsonNode info = CliTest.JSON.readTree(CliTest.run("info", "--model", model, "--json").out());
        assertTrue(info.get("capabilities").toString().contains("tokenize-image"), info.toString());
    }
}
