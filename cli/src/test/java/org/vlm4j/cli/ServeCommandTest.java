package org.vlm4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** vlm4j index build | add | stats, search and serve, end to end on the tiny OpenCLIP fixture and Shapes images. */
class ServeCommandTest {
    @TempDir
    Path tmp;

    @Test
    void indexSearchAndServe() throws Exception {
        Path fix = CliTest.FIX;
        Path model = tmp.resolve("model");
        CliTest.Result imp = CliTest.run("import", "--format", "openclip", "--weights",
                fix.resolve("peer-tiny-clip/model.safetensors"), "--config",
                fix.resolve("model_configs/peer-tiny-clip.json"), "--out", model);
        assertEquals(0, imp.code(), imp.err());
        CliTest.Result d = CliTest.run("data", "shapes", "--out", tmp.resolve("s"), "--count", "30", "--size", "32",
                "--json");
        assertEquals(0, d.code(), d.err());
        String tsv = CliTest.JSON.readTree(d.out()).get("data").get("train").asText();
        Path index = tmp.resolve("index");

        CliTest.Result b = CliTest.run("index", "build", "--model", model, "--images", tsv, "--out", index, "--json");
        assertEquals(0, b.code(), b.err());
        JsonNode built = CliTest.JSON.readTree(b.out());
        assertEquals(24, built.get("added").asInt());
        assertEquals(24, built.get("total").asInt());
        assertTrue(built.get("images_per_second").asDouble() > 0);
        CliTest.Result again = CliTest.run("index", "build", "--model", model, "--images", tsv, "--out", index,
                "--json");
        assertEquals(0, again.code(), again.err());
        assertEquals(0, CliTest.JSON.readTree(again.out()).get("added").asInt());
        assertEquals(24, CliTest.JSON.readTree(again.out()).get("unchanged").asInt());
        // add: the validation split joins the index
        String val = CliTest.JSON.readTree(d.out()).get("data").get("val").asText();
        CliTest.Result add = CliTest.run("index", "add", "--model", model, "--images", val, "--out", index, "--json");
        assertEquals(0, add.code(), add.err());
        assertEquals(27, CliTest.JSON.readTree(add.out()).get("total").asInt());

        CliTest.Result st = CliTest.run("index", "stats", "--index", index, "--json");
        assertEquals(0, st.code(), st.err());
        JsonNode stats = CliTest.JSON.readTree(st.out());
        assertEquals(27, stats.get("images").asInt());
        assertEquals(64, stats.get("dim").asInt());
        assertEquals(model.toAbsolutePath().normalize().toString(), stats.get("model_dir").asText());

        CliTest.Result s = CliTest.run("search", "--index", index, "--text", "a red circle", "--k", "3", "--json");
        assertEquals(0, s.code(), s.err());
        JsonNode results = CliTest.JSON.readTree(s.out()).get("results");
        assertEquals(3, results.size());
        assertTrue(Files.isRegularFile(Path.of(results.get(0).get("path").asText())));
        assertTrue(results.get(0).get("score").asDouble() >= results.get(1).get("score").asDouble());

        // Another model is refused by name, for building and for serving.
        Path other = tmp.resolve("other");
        assertEquals(0, CliTest.run("import", "--format", "openclip", "--weights",
                fix.resolve("peer-tiny-sigmoid/model.safetensors"), "--config",
                fix.resolve("model_configs/peer-tiny-sigmoid.json"), "--out", other).code());
        CliTest.assertCleanError(CliTest.run("index", "build", "--model", other, "--images", tsv, "--out", index),
                "another model");
        CliTest.assertCleanError(CliTest.run("serve", "--model", other, "--index", index, "--port", "0"),
                "another model");
        CliTest.assertCleanError(CliTest.run("search", "--index", tmp.resolve("nope"), "--text", "x"), "not a vlm4j index");

        // serve: health and search as the contract says, then stop.
        Path portFile = tmp.resolve("port");
        AtomicReference<CliTest.Result> served = new AtomicReference<>();
        Thread t = new Thread(() -> served.set(CliTest.run("serve", "--model", model, "--index", index, "--port", "0",
                "--port-file", portFile)));
        t.start();
        try {
            for (int i = 0; i < 300 && !Files.exists(portFile); i++) {
                Thread.sleep(50);
            }
            assertTrue(Files.exists(portFile), "the server wrote its port");
            URI base = URI.create("http://127.0.0.1:" + Files.readString(portFile).strip() + "/");
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> h = http.send(HttpRequest.newBuilder(base.resolve("/v1/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, h.statusCode());
            assertEquals("ok", CliTest.JSON.readTree(h.body()).get("status").asText());
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/v1/search?q="
                    + URLEncoder.encode("a red circle", StandardCharsets.UTF_8) + "&k=3")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            JsonNode viaHttp = CliTest.JSON.readTree(r.body()).get("results");
            for (int i = 0; i < 3; i++) {
                assertEquals(results.get(i).get("path").asText(), viaHttp.get(i).get("path").asText());
                assertEquals(results.get(i).get("score").asDouble(), viaHttp.get(i).get("score").asDouble(), 1e-5);
            }
        } finally {
            ServeCommand.stopAll();
            t.join(10_000);
        }
        assertEquals(0, served.get().code(), served.get().err());
        assertTrue(served.get().out().contains("serving"), served.get().out());
    }
}
