package org.vlm4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The early-fusion stages through the CLI (mechanics on a few steps; quality is FusionShapesTest's): pretraining
 * with Chameleon's blocks, zero-shot classification of a fusion model by likelihood both ways, guided drawing,
 * retrieval-augmented pretraining with a CLIP as the retriever, instruction tuning started from a pretrained
 * model (its edit-by-text sequences included) and editing an image by text — with the errors for a missing or
 * misplaced flag.
 */
class FusionStagesCommandsTest {
    @TempDir
    Path tmp;

    @Test
    void pretrainClassifyDrawRetrieveAndInstructionTune() throws Exception {
        Path s = tmp.resolve("s");
        assertEquals(0, CliTest.run("data", "shapes", "--out", s, "--count", "40", "--size", "32").code());
        Path train = s.resolve("train.tsv");
        Path vq = tmp.resolve("vq");
        assertEquals(0, CliTest.run("train", "--model", "vqvae-tiny", "--data", train, "--out", vq, "--steps", "2",
                "--batch-size", "8").code());
        Path pre = tmp.resolve("pre");
        CliTest.Result t = CliTest.run("train", "--model", "fusion-chameleon-tiny", "--image-tokenizer",
                vq.resolve("model"), "--data", train, "--out", pre, "--steps", "2", "--batch-size", "8", "--json");
        assertEquals(0, t.code(), t.err());
        JsonNode cfg = CliTest.JSON.readTree(pre.resolve("model/config.json").toFile());
        assertEquals("chameleon", cfg.get("decoder").get("norm_placement").asText());
        assertTrue(cfg.get("decoder").get("qk_norm").asBoolean());

        JsonNode info = CliTest.JSON.readTree(CliTest.run("info", "--model", pre.resolve("model"), "--json").out());
        assertTrue(info.get("capabilities").toString().contains("eval zeroshot --likelihood"), info.toString());
        for (String direction : new String[] {"image", "text"}) {
            CliTest.Result z = CliTest.run("eval", "zeroshot", "--model", pre.resolve("model"), "--data",
                    s.resolve("val.tsv"), "--label", "{color} {shape}", "--classes", s.resolve("classes.txt"),
                    "--templates", "a {}", "--likelihood", direction, "--json");
            assertEquals(0, z.code(), z.err());
            JsonNode j = CliTest.JSON.readTree(z.out());
            assertEquals(4, j.get("n").asInt());
            assertEquals(48, j.get("n_classes").asInt());
            assertTrue(j.get("top1").asDouble() >= 0 && j.get("top1").asDouble() <= 1);
            assertEquals("log p(" + direction + " | " + (direction.equals("image") ? "text" : "image") + ")",
                    j.get("scorer").asText());
        }
        CliTest.assertCleanError(CliTest.run("eval", "zeroshot", "--model", pre.resolve("model"), "--data",
                s.resolve("val.tsv"), "--label", "{color} {shape}", "--templates", "a {}"), "--classes");
        CliTest.assertCleanError(CliTest.run("eval", "zeroshot", "--model", pre.resolve("model"), "--data",
                s.resolve("val.tsv"), "--label", "{color} {shape}", "--classes", s.resolve("classes.txt"),
                "--likelihood", "pixels"), "likelihood direction");

        CliTest.Result g = CliTest.run("generate-image", "--model", pre.resolve("model"), "--text", "a red circle",
                "--guidance", "2", "--out", tmp.resolve("red.png"), "--json");
        assertEquals(0, g.code(), g.err());
        assertEquals(2.0, CliTest.JSON.readTree(g.out()).get("guidance").asDouble());

        Path clip = tmp.resolve("clip");
        assertEquals(0, CliTest.run("train", "--model", "clip-tiny", "--data", train, "--out", clip, "--steps", "2",
                "--batch-size", "8").code());
        CliTest.assertCleanError(CliTest.run("train", "--model", "fusion-rag-tiny", "--image-tokenizer",
                vq.resolve("model"), "--data", train, "--out", tmp.resolve("no"), "--steps", "1"), "--retriever");
        CliTest.assertCleanError(CliTest.run("train", "--model", "fusion-chameleon-tiny", "--image-tokenizer",
                vq.resolve("model"), "--retriever", clip.resolve("model"), "--data", train, "--out",
                tmp.resolve("no2"), "--steps", "1"), "retrieves no documents");
        CliTest.Result rag = CliTest.run("train", "--model", "fusion-rag-tiny", "--image-tokenizer",
                vq.resolve("model"), "--retriever", clip.resolve("model"), "--data", train, "--out", tmp.resolve("rag"),
                "--steps", "2", "--batch-size", "8", "--json");
        assertEquals(0, rag.code(), rag.err());
        assertEquals(1, CliTest.JSON.readTree(tmp.resolve("rag/model/config.json").toFile()).get("retrieved").asInt());

        Path sft = tmp.resolve("sft");
        CliTest.Result i = CliTest.run("train", "--model", "fusion-instruct-tiny", "--init", tmp.resolve("rag/model"),
                "--data", train, "--out", sft, "--steps", "2", "--batch-size", "8", "--json");
        assertEquals(0, i.code(), i.err());
        CliTest.Result c = CliTest.run("caption", "--model", sft.resolve("model"), s.resolve("images/val/000000.png"),
                "--max-tokens", "5", "--json");
        assertEquals(0, c.code(), c.err());
        assertEquals(1, CliTest.JSON.readTree(c.out()).get("results").size());
        CliTest.Result e = CliTest.run("edit-image", "--model", sft.resolve("model"), "--image",
                s.resolve("images/val/000000.png"), "--text", "make the circle blue", "--out", tmp.resolve("edit.png"),
                "--json");
        assertEquals(0, e.code(), e.err());
        JsonNode ej = CliTest.JSON.readTree(e.out());
        assertEquals("make the circle blue", ej.get("text").asText());
        assertEquals(32, javax.imageio.ImageIO.read(tmp.resolve("edit.png").toFile()).getWidth());
        CliTest.assertCleanError(CliTest.run("edit-image", "--model", pre.resolve("model"), "--image",
                s.resolve("images/val/000000.png"), "--text", "make the circle blue", "--out", tmp.resolve("no.png")),
                "instruction-tuned");
        CliTest.assertCleanError(CliTest.run("edit-image", "--model", sft.resolve("model"), "--image",
                tmp.resolve("missing.png"), "--text", "make the circle blue", "--out", tmp.resolve("no.png")),
                "missing.png");
        CliTest.assertCleanError(CliTest.run("train", "--model", "fusion-instruct-tiny", "--init", pre.resolve("model"),
                "--image-tokenizer", vq.resolve("model"), "--data", train, "--out", tmp.resolve("no3"), "--steps", "1"),
                "brings its own");
    }
}
