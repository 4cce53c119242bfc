package org.vlm4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vlm4j.data.WordnetGlosses;

/** vlm4j train --model lm-tiny --text-data FILE, then vlm4j lm generate on the model directory it wrote. */
class LmCommandTest {
    @TempDir
    Path tmp;

    @Test
    void trainsOnTextLinesAndGenerates() throws Exception {
        assertTrue(WordnetGlosses.available(), "needs Debian's wordnet-base (/usr/share/wordnet): .ci/run installs it");
        Path text = tmp.resolve("glosses.txt");
        Files.write(text, WordnetGlosses.read(WordnetGlosses.DEBIAN_DIR, "noun", 40, 800));
        CliTest.Result r = CliTest.run("train", "--model", "lm-tiny", "--text-data", text, "--out", tmp.resolve("run"),
                "--steps", "20", "--batch-size", "16", "--vocab-size", "600", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode res = CliTest.JSON.readTree(r.out());
        assertEquals(20, res.get("steps").asInt());
        assertTrue(res.get("final_loss").asDouble() < Math.log(600), "loss fell below ln V: " + res);
        Path model = tmp.resolve("run/model");
        JsonNode cfg = CliTest.JSON.readTree(model.resolve("config.json").toFile());
        assertEquals("lm", cfg.get("family").asText());
        int vocab = cfg.get("decoder").get("vocab_size").asInt();
        assertTrue(vocab > 514 && vocab <= 600, "a vocabulary fitted to the text: " + vocab);

        CliTest.Result g = CliTest.run("lm", "generate", "--model", model, "--prompt", "the act of", "--max-tokens",
                "6", "--json");
        assertEquals(0, g.code(), g.err());
        JsonNode out = CliTest.JSON.readTree(g.out());
        assertEquals("the act of", out.get("prompt").asText());
        int n = out.get("tokens").asInt();
        assertTrue(n >= 1 && n <= 6, "1..6 new tokens: " + out);
        assertTrue(out.has("text") && out.has("stopped"), out.toString());
        assertEquals(g.out(), CliTest.run("lm", "generate", "--model", model, "--prompt", "the act of",
                "--max-tokens", "6", "--json").out(), "greedy generation is deterministic");
        CliTest.Result s = CliTest.run("lm", "generate", "--model", model, "--prompt", "a person", "--temperature",
                "0.8", "--top-k", "20", "--seed", "3", "--json");
        assertEquals(0, s.code(), s.err());

        CliTest.assertCleanError(CliTest.run("train", "--model", "clip-tiny", "--text-data", text, "--out",
                tmp.resolve("e1"), "--steps", "1"), "--text-data");
        CliTest.assertCleanError(CliTest.run("train", "--model", "lm-tiny", "--out", tmp.resolve("e2")), "--data",
                "--text-data");
        CliTest.assertCleanError(CliTest.run("train", "--model", "lm-tiny", "--text-data", tmp.resolve("none.txt"),
                "--out", tmp.resolve("e3")), "none.txt");
        CliTest.assertCleanError(CliTest.run("lm", "generate", "--model", model, "--prompt", "x", "--max-tokens", "0"),
                "--max-tokens");
    }
}
