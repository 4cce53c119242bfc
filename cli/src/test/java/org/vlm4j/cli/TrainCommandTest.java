package org.vlm4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** vlm4j train on tar shards: the vocabulary is fitted to the shards' captions unless one is given. */
class TrainCommandTest {
    @TempDir
    Path tmp;

    @Test
    void shardsGetAFittedVocabularyOrTheOneGiven() throws Exception {
        CliTest.Result d = CliTest.run("data", "shapes", "--out", tmp.resolve("s"), "--count", "40", "--format", "tar",
                "--shard-size", "16", "--json");
        assertEquals(0, d.code(), d.err());
        String spec = CliTest.JSON.readTree(d.out()).get("data").get("train").asText();

        CliTest.Result r = CliTest.run("train", "--model", "clip-tiny", "--data", spec, "--out", tmp.resolve("fit"),
                "--steps", "2", "--batch-size", "8", "--vocab-size", "600", "--json");
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.isDirectory(tmp.resolve("fit/tokenizer")), "the fitted vocabulary is kept with the run");
        JsonNode cfg = CliTest.JSON.readTree(tmp.resolve("fit/model/config.json").toFile());
        int vocab = cfg.get("text").get("vocab_size").asInt();
        assertTrue(vocab > 514 && vocab <= 600, "fitted to the Shapes captions: " + vocab);

        CliTest.Result c = CliTest.run("train", "--model", "clip-tiny", "--data", spec, "--out", tmp.resolve("clip"),
                "--steps", "1", "--batch-size", "8", "--tokenizer", "clip", "--json");
        assertEquals(0, c.code(), c.err());
        assertEquals(49408, CliTest.JSON.readTree(tmp.resolve("clip/model/config.json").toFile()).get("text")
                .get("vocab_size").asInt());

        CliTest.assertCleanError(CliTest.run("train", "--model", "clip-tiny", "--data", spec, "--out",
                tmp.resolve("e"), "--eval-every", "5"), "--eval-data");
    }
}
