package org.vlm4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** vlm4j eval winoground on Shapes' table with the imported OpenCLIP fixture (cosine): the contract keys. */
class EvalWinogroundCommandTest {
    @TempDir
    Path tmp;

    @Test
    void printsTheContractKeysAndGroups() throws Exception {
        Path model = tmp.resolve("tiny-clip");
        CliTest.Result imp = CliTest.run("import", "--format", "openclip", "--weights",
                CliTest.FIX.resolve("peer-tiny-clip/model.safetensors"), "--config",
                CliTest.FIX.resolve("model_configs/peer-tiny-clip.json"), "--out", model);
        assertEquals(0, imp.code(), imp.err());
        Path data = tmp.resolve("shapes");
        CliTest.Result d = CliTest.run("data", "shapes", "--out", data, "--count", "20", "--size", "32",
                "--winoground", "8");
        assertEquals(0, d.code(), d.err());
        CliTest.Result r = CliTest.run("eval", "winoground", "--model", model, "--data", data.resolve("winoground.tsv"),
                "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = CliTest.JSON.readTree(r.out());
        for (String k : new String[] {"text_score", "image_score", "group_score"}) {
            double v = j.get(k).asDouble(-1);
            assertTrue(v >= 0 && v <= 1, k + " = " + j.get(k));
        }
        assertEquals(8, j.get("n").asInt());
        assertEquals("cosine", j.get("similarity").asText());
        assertTrue(j.get("group_score").asDouble() <= Math.min(j.get("text_score").asDouble(),
                j.get("image_score").asDouble()));
        for (String g : new String[] {"attribute", "relation", "seen", "heldout"}) {
            assertEquals(4, j.get("groups").get(g).get("n").asInt(), g);
        }

        CliTest.Result noScore = CliTest.run("eval", "winoground", "--model", model, "--data",
                data.resolve("winoground.tsv"), "--similarity", "score");
        assertEquals(1, noScore.code());
        assertTrue(noScore.err().contains("has no pair score"), noScore.err());
        CliTest.Result badTable = CliTest.run("eval", "winoground", "--model", model, "--data",
                data.resolve("train.tsv"));
        assertEquals(1, badTable.code());
        assertTrue(badTable.err().contains("train.tsv") && badTable.err().contains("image0"), badTable.err());
    }
}
