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
 * CoCa through the command line: {@code train --model coca-tiny} writes a model directory that {@code caption} and
 * {@code eval captioning} read (the contract keys, input order, references grouped by image), and that {@code info}
 * lists as able to caption. Two training steps: this tests the plumbing; caption quality is CocaTrainingTest's.
 */
class CaptionCommandTest {
    @TempDir
    Path tmp;

    @Test
    void trainCaptionAndEvaluateThroughTheCli() throws Exception {
        Path data = tmp.resolve("s");
        assertEquals(0, CliTest.run("data", "shapes", "--out", data, "--count", "30", "--json").code());
        CliTest.Result t = CliTest.run("train", "--model", "coca-tiny", "--data", data.resolve("train.tsv"), "--out",
                tmp.resolve("run"), "--steps", "2", "--batch-size", "8", "--vocab-size", "600", "--json");
        assertEquals(0, t.code(), t.err());
        Path model = tmp.resolve("run/model");
        assertEquals("coca", CliTest.JSON.readTree(model.resolve("config.json").toFile()).get("family").asText());
        JsonNode info = CliTest.JSON.readTree(CliTest.run("info", "--model", model, "--json").out());
        assertTrue(info.get("capabilities").toString().contains("caption"), info.toString());

        List<String> rows = Files.readAllLines(data.resolve("val.tsv"));
        Path a = data.resolve(rows.get(1).split("\t")[0]);
        Path b = data.resolve(rows.get(2).split("\t")[0]);
        Path c = data.resolve(rows.get(3).split("\t")[0]);
        for (String beam : List.of("1", "3")) {
            CliTest.Result r = CliTest.run("caption", "--model", model, c, a, b, "--beam", beam, "--max-tokens", "4",
                    "--json");
            assertEquals(0, r.code(), r.err());
            JsonNode res = CliTest.JSON.readTree(r.out()).get("results");
            assertEquals(3, res.size());
            assertEquals(List.of(c.toString(), a.toString(), b.toString()),
                    List.of(res.get(0).get("image").asText(), res.get(1).get("image").asText(),
                            res.get(2).get("image").asText()), "input order");
            for (JsonNode x : res) {
                assertTrue(x.get("caption").isTextual());
                assertTrue(x.get("caption").asText().split("\\s+").length <= 4, "4 tokens at most: " + x);
            }
        }

        // image a has two reference rows: one image, two references (paths relative to the table's folder)
        Path refs = data.resolve("refs.tsv");
        String ra = data.relativize(a).toString();
        Files.writeString(refs, "image\ttext\n" + ra + "\ta red circle\n" + ra + "\ta large red circle\n"
                + data.relativize(b) + "\ta blue square\n" + data.relativize(c) + "\ta green star\n");
        CliTest.Result e = CliTest.run("eval", "captioning", "--model", model, "--data", refs, "--max-tokens", "8",
                "--json");
        assertEquals(0, e.code(), e.err());
        JsonNode j = CliTest.JSON.readTree(e.out());
        assertEquals(3, j.get("n").asInt());
        assertEquals(4, j.get("references").asInt());
        for (String k : List.of("BLEU-1", "BLEU-4", "CIDEr-D")) {
            double v = j.get(k).asDouble(Double.NaN);
            assertTrue(v >= 0 && v <= (k.equals("CIDEr-D") ? 10 : 1), k + " = " + v);
        }
        assertEquals(2, j.get("examples").get(0).get("references").size());

        CliTest.assertCleanError(CliTest.run("caption", "--model", model, a, "--beam", "0"), "--beam");
        CliTest.assertCleanError(CliTest.run("eval", "captioning", "--model", model, "--data", data.resolve("no.tsv")),
                "no.tsv");
        Path clip = tmp.resolve("clip");
        assertEquals(0, CliTest.run("import", "--format", "openclip", "--weights",
                CliTest.FIX.resolve("peer-tiny-clip/model.safetensors"), "--config",
                CliTest.FIX.resolve("model_configs/peer-tiny-clip.json"), "--out", clip).code());
        CliTest.assertCleanError(CliTest.run("caption", "--model", clip, a), "cannot write captions");
    }
}
