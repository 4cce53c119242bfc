package org.vlm4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Llip from the command line: train the preset, then evaluate the model directory it wrote. */
class LlipCommandTest {
    @TempDir
    Path tmp;

    @Test
    void trainsTheLlipPresetAndEvaluatesIt() throws Exception {
        CliTest.Result d = CliTest.run("data", "shapes", "--out", tmp.resolve("s"), "--count", "60", "--colors", "2", "--shapes", "2",
                "--json");
        assertEquals(0, d.code(), d.err());
        CliTest.Result r = CliTest.run("train", "--model", "llip-tiny", "--data", tmp.resolve("s/train.tsv"), "--out",
                tmp.resolve("run"), "--steps", "2", "--batch-size", "8", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode cfg = CliTest.JSON.readTree(tmp.resolve("run/model/config.json").toFile());
        assertEquals("llip", cfg.get("family").asText());
        assertEquals(8, cfg.get("llip").get("mixture_tokens").asInt());

        CliTest.Result z = CliTest.run("eval", "zeroshot", "--model", tmp.resolve("run/model"), "--data",
                tmp.resolve("s/val.tsv"), "--label", "{color} {shape}", "--templates", "a {}", "--json");
        assertEquals(0, z.code(), z.err());
        JsonNode zs = CliTest.JSON.readTree(z.out());
        assertTrue(zs.get("n").asInt() > 0, z.out());
        assertTrue(zs.get("top1").asDouble() >= 0 && zs.get("top1").asDouble() <= 1, z.out());

        // Llip's own inference: each class text mixes the image's tokens (caption-conditioned score)
        CliTest.Result b = CliTest.run("eval", "zeroshot", "--model", tmp.resolve("run/model"), "--data",
                tmp.resolve("s/val.tsv"), "--label", "{color} {shape}", "--templates", "a {}", "--classes",
                "red circle,red square,green circle,green square", "--by-score", "--json");
        assertEquals(0, b.code(), b.err());
        JsonNode bs = CliTest.JSON.readTree(b.out());
        assertEquals("pair score", bs.get("scorer").asText());
        assertTrue(bs.get("n").asInt() > 0, b.out());

        CliTest.Result s = CliTest.run("score", "--model", tmp.resolve("run/model"), "--image",
                tmp.resolve("s/images/val/000000.png"), "--text", "a red circle", "a blue square", "--json");
        assertEquals(0, s.code(), s.err());
        assertEquals(2, CliTest.JSON.readTree(s.out()).get("scores").size());
    }
}
