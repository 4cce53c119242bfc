package org.vlm4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's main job end to end on a tiny budget: the contract keys, the files, and a usable model. */
class QuickstartCommandTest {
    @TempDir
    Path tmp;

    @Test
    void tinyQuickstartWritesAUsableModelAndTheContractKeys() throws Exception {
        Path out = tmp.resolve("qs");
        CliTest.Result r = CliTest.run("quickstart", "--out", out, "--images", "300", "--steps", "12", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = CliTest.JSON.readTree(r.out());
        for (String k : new String[] {"zeroshot_top1", "heldout_top1", "zeroshot_top1_size_ensemble",
            "heldout_top1_size_ensemble"}) {
            double v = j.get(k).asDouble(-1);
            assertTrue(v >= 0 && v <= 1, k + " = " + j.get(k));
        }
        assertTrue(j.get("seconds").asDouble() > 0);
        assertEquals(12, j.get("steps").asInt());
        assertEquals(48, j.get("classes").asInt());
        assertEquals(out.resolve("model").toString(), j.get("model_dir").asText());
        assertTrue(Files.size(out.resolve("training-curve.png")) > 0);
        // the model it wrote answers the evaluation it suggests
        CliTest.Result z = CliTest.run("eval", "zeroshot", "--model", out.resolve("model"), "--data",
                out.resolve("data/val.tsv"), "--label", "{color} {shape}", "--classes", out.resolve("data/classes.txt"),
                "--templates", "a large {}", "--json");
        assertEquals(0, z.code(), z.err());
        assertEquals(30, CliTest.JSON.readTree(z.out()).get("n").asInt());
        CliTest.Result text = CliTest.run("quickstart", "--out", tmp.resolve("qs2"), "--images", "200", "--steps", "4");
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().contains("zero-shot top-1") && text.out().contains("vlm4j eval zeroshot"), text.out());
    }
}
