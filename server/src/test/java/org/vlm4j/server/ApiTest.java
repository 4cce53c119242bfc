package org.vlm4j.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vlm4j.data.ImageTextDataset;
import org.vlm4j.index.IndexBuilder;
import org.vlm4j.index.IndexMeta;
import org.vlm4j.index.ModelFingerprint;
import org.vlm4j.index.TinyFixtures;
import org.vlm4j.index.VectorIndex;
import org.vlm4j.io.ModelDir;
import org.vlm4j.model.ImageTextEncoder;
import org.vlm4j.model.VlmModel;

/** Every endpoint on a tiny CLIP and a Shapes index, every limit and malformed input, and that the server survives. */
class ApiTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path tmp;
    static Path model;
    static Path table;
    static List<Path> images;
    static VlmModel vlm;
    static ImageTextEncoder enc;
    static VectorIndex index;
    static VlmServer server;
    static URI base;

    record Reply(int status, JsonNode json, byte[] bytes, String contentType) {}

    @BeforeAll
    static void start() throws Exception {
        model = TinyFixtures.model(tmp.resolve("model"), 11);
        table = TinyFixtures.shapes(tmp.resolve("shapes"), 30, 12);
        images = new ArrayList<>();
        for (String line : Files.readAllLines(table).subList(1, Files.readAllLines(table).size())) {
            images.add(table.getParent().resolve(line.split("\t")[0]).toAbsolutePath().normalize());
        }
        vlm = ModelDir.load(model);
        enc = (ImageTextEncoder) vlm;
        index = VectorIndex.openForWriting(tmp.resolve("index"), new IndexMeta(ModelFingerprint.of(model),
                model.toString(), vlm.family(), enc.embedDim(), List.of()));
        new IndexBuilder(enc).run(ImageTextDataset.open(table.toString()), index, IndexBuilder.Options.defaults(),
                (d, t) -> {});
        ServerOptions opt = ServerOptions.defaults().withPort(0).withLimits(64 * 1024, 200 * 200, 4, 100, 20_000);
        server = VlmServer.start(vlm, model.toString(), index, opt);
        base = server.uri();
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        index.close();
        vlm.close();
    }

    static Reply send(HttpRequest.Builder b) throws Exception {
        HttpResponse<byte[]> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        String type = r.headers().firstValue("Content-Type").orElse("");
        JsonNode json = type.startsWith("application/json") ? JSON.readTree(r.body()) : null;
        return new Reply(r.statusCode(), json, r.body(), type);
    }

    static Reply get(URI b, String path) throws Exception {
        return send(HttpRequest.newBuilder(b.resolve(path)));
    }

    static Reply get(String path) throws Exception {
        return get(base, path);
    }

    static Reply post(URI b, String path, String body) throws Exception {
        return send(HttpRequest.newBuilder(b.resolve(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    static Reply post(String path, Object body) throws Exception {
        return post(base, path, body instanceof String s ? s : JSON.writeValueAsString(body));
    }

    static String b64(Path p) throws Exception {
        return Base64.getEncoder().encodeToString(Files.readAllBytes(p));
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** A JSON error with this status, whose message mentions {@code words}. */
    static void assertError(Reply r, int status, String words) {
        assertEquals(status, r.status(), () -> new String(r.bytes(), StandardCharsets.UTF_8));
        assertTrue(r.json() != null && r.json().hasNonNull("error"), "JSON error body");
        assertEquals(status, r.json().get("status").asInt());
        assertTrue(r.json().get("error").asText().toLowerCase().contains(words.toLowerCase()),
                r.json().get("error").asText() + " should mention " + words);
    }

    static float[] floats(JsonNode row) {
        float[] f = new float[row.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) row.get(i).asDouble();
        }
        return f;
    }

    @Test
    void healthAndModel() throws Exception {
        Reply h = get("/v1/health");
        assertEquals(200, h.status());
        assertEquals("ok", h.json().get("status").asText());
        Reply m = get("/v1/model");
        assertEquals(200, m.status());
        assertEquals("clip", m.json().get("family").asText());
        assertEquals(enc.embedDim(), m.json().get("embed_dim").asInt());
        JsonNode caps = m.json().get("capabilities");
        assertTrue(caps.get("embed").asBoolean() && caps.get("classify").asBoolean() && caps.get("search").asBoolean());
        assertFalse(caps.get("caption").asBoolean() || caps.get("score").asBoolean(), "CLIP neither captions nor scores");
        assertEquals(images.size(), m.json().get("index").get("count").asInt());
    }

    @Test
    void embedGivesTheModelsEmbeddings() throws Exception {
        Reply r = post("/v1/embed", Map.of("texts", List.of("a red circle", "a blue square"), "images",
                List.of(b64(images.get(0)), "data:image/png;base64," + b64(images.get(1)))));
        assertEquals(200, r.status(), new String(r.bytes()));
        float[][] texts = enc.encodeTexts(List.of("a red circle", "a blue square"));
        float[][] imgs = enc.encodeImageFiles(images.subList(0, 2));
        for (int i = 0; i < 2; i++) {
            assertArrayEquals(texts[i], floats(r.json().get("text_embeddings").get(i)), 1e-5f);
            assertArrayEquals(imgs[i], floats(r.json().get("image_embeddings").get(i)), 1e-5f);
        }
        assertEquals(enc.embedDim(), r.json().get("dim").asInt());
    }

    @Test
    void classifyRanksLabels() throws Exception {
        List<String> labels = List.of("red circle", "blue square", "green star");
        Reply r = post("/v1/classify", Map.of("image", b64(images.get(0)), "labels", labels));
        assertEquals(200, r.status(), new String(r.bytes()));
        JsonNode ls = r.json().get("labels");
        assertEquals(3, ls.size());
        double sum = 0;
        for (int i = 0; i < 3; i++) {
            sum += ls.get(i).get("probability").asDouble();
            if (i > 0) {
                assertTrue(ls.get(i - 1).get("probability").asDouble() >= ls.get(i).get("probability").asDouble());
            }
        }
        assertEquals(1.0, sum, 1e-4);
        var expected = new org.vlm4j.eval.ZeroShotClassifier(enc, labels, List.of(), false)
                .topK(enc.encodeImageFiles(List.of(images.get(0))), 3).get(0);
        assertEquals(expected.get(0).label(), ls.get(0).get("label").asText());
        assertEquals(expected.get(0).probability(), ls.get(0).get("probability").asDouble(), 1e-4);
    }

    @Test
    void searchByTextAndByImage() throws Exception {
        Reply r = get("/v1/search?q=" + enc("a red circle") + "&k=5");
        assertEquals(200, r.status(), new String(r.bytes()));
        JsonNode res = r.json().get("results");
        assertEquals(5, res.size());
        var exact = index.exactSearch(enc.encodeTexts(List.of("a red circle"))[0], 5);
        assertEquals(exact.get(0).path(), res.get(0).get("path").asText());
        for (int i = 1; i < 5; i++) {
            assertTrue(res.get(i - 1).get("score").asDouble() >= res.get(i).get("score").asDouble(), "best first");
        }
        Reply ex = get("/v1/search?q=" + enc("a red circle") + "&k=5&exact=true");
        for (int i = 0; i < 5; i++) {
            assertEquals(exact.get(i).path(), ex.json().get("results").get(i).get("path").asText());
        }
        Reply byImage = post("/v1/search", Map.of("image", b64(images.get(3)), "k", 3));
        assertEquals(200, byImage.status(), new String(byImage.bytes()));
        assertEquals(images.get(3).toString(), byImage.json().get("results").get(0).get("path").asText());
        assertEquals(1.0, byImage.json().get("results").get(0).get("score").asDouble(), 1e-4);
        Reply byText = post("/v1/search", Map.of("text", "a red circle", "k", 5, "exact", true));
        assertEquals(exact.get(0).path(), byText.json().get("results").get(0).get("path").asText());
    }

    @Test
    void captionAndScoreAre501ForAContrastiveModel() throws Exception {
        assertError(post("/v1/caption", Map.of("image", b64(images.get(0)))), 501, "cannot write captions");
        assertError(post("/v1/score", Map.of("image", b64(images.get(0)), "texts", List.of("x"))), 501, "cannot score");
    }

    @Test
    void thumbnailsServeIndexedFilesOnly() throws Exception {
        Reply ok = get("/v1/thumbnail?path=" + enc(images.get(0).toString()));
        assertEquals(200, ok.status());
        assertEquals("image/png", ok.contentType());
        assertArrayEquals(Files.readAllBytes(images.get(0)), ok.bytes());
        Path root = table.getParent().toAbsolutePath().normalize();
        assertError(get("/v1/thumbnail?path=" + enc(root + "/../../../../etc/passwd")), 403, "outside");
        assertError(get("/v1/thumbnail?path=" + enc("/etc/passwd")), 403, "outside");
        assertError(get("/v1/thumbnail?path=" + enc("images/train/000000.png")), 403, "outside");
        assertError(get("/v1/thumbnail?path=" + enc(root.resolve("train.tsv").toString())), 404, "not an indexed");
        assertError(get("/v1/thumbnail"), 400, "path");
        // Raw traversal in the URL path itself is no route at all.
        assertEquals(404, HTTP.send(HttpRequest.newBuilder(URI.create(base + "v1/../../etc/passwd")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());
    }

    @Test
    void malformedInputGets400s() throws Exception {
        assertError(post("/v1/embed", "{\"texts\": [\"a\""), 400, "malformed JSON");
        assertError(post("/v1/embed", ""), 400, "empty");
        assertError(post("/v1/embed", "[1, 2]"), 400, "JSON object");
        assertError(post("/v1/embed", "{\"texts\": \"a red circle\"}"), 400, "'texts' must be an array");
        assertError(post("/v1/embed", "{\"texts\": [1]}"), 400, "'texts'[0] must be a string");
        assertError(post("/v1/embed", "{}"), 400, "nothing to embed");
        assertError(post("/v1/embed", "{\"images\": [\"@@not base64@@\"]}"), 400, "base64");
        assertError(post("/v1/classify", Map.of("image", b64(images.get(0)))), 400, "labels");
        assertError(post("/v1/classify", "{\"image\": 5, \"labels\": [\"a\"]}"), 400, "'image' must be a string");
        assertError(post("/v1/classify", Map.of("image", b64(images.get(0)), "labels", List.of("a"), "templates",
                List.of("no placeholder"))), 400, "placeholder");
        assertError(post("/v1/classify", Map.of("image", b64(images.get(0)), "labels", List.of("a"), "top_k", "x")),
                400, "integer");
        assertError(get("/v1/search"), 400, "'q'");
        assertError(get("/v1/search?q=x&k=abc"), 400, "integer");
        assertError(get("/v1/search?q=x&k=0"), 400, "k must be");
        assertError(get("/v1/search?q=x&k=100000"), 400, "k must be");
        assertError(get("/v1/search?q=x&exact=maybe"), 400, "exact");
        assertError(post("/v1/search", Map.of("k", 3)), 400, "exactly one");
        assertError(post("/v1/search", Map.of("text", "x", "image", "y")), 400, "exactly one");
        assertError(post("/v1/search", Map.of("text", "x", "k", 2.5)), 400, "integer");
        assertError(get("/v1/nothing"), 404, "no such endpoint");
        assertError(get("/nothing.html"), 404, "no such page");
        assertError(get("/v1/embed"), 405, "POST");
        assertError(post("/v1/health", "{}"), 405, "GET");
        assertEquals(200, get("/v1/health").status(), "still serving");
    }

    static byte[] png(int w, int h) throws Exception {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    @Test
    void limitsGetClear4xx() throws Exception {
        // A non-image upload.
        String text = Base64.getEncoder().encodeToString("just some text, not an image".getBytes());
        assertError(post("/v1/embed", Map.of("images", List.of(text))), 415, "image");
        assertError(post("/v1/classify", Map.of("image", text, "labels", List.of("a"))), 415, "image");
        // Upload size: over 64 KiB of body.
        assertError(post("/v1/embed", Map.of("texts", List.of("x".repeat(70_000)))), 413, "limit");
        // Pixel count (decompression bomb guard): 1000 x 1000 is a small file but over 200 x 200 pixels.
        byte[] bomb = png(1000, 1000);
        assertTrue(bomb.length < 16 * 1024, "small on the wire: " + bomb.length);
        assertError(post("/v1/embed", Map.of("images", List.of(Base64.getEncoder().encodeToString(bomb)))), 413,
                "pixels");
        // Texts per request and text length.
        assertError(post("/v1/embed", Map.of("texts", List.of("a", "b", "c", "d", "e"))), 413, "limit is 4");
        assertError(post("/v1/classify", Map.of("image", b64(images.get(0)), "labels",
                List.of("a", "b", "c", "d", "e"))), 413, "limit is 4");
        assertError(post("/v1/embed", Map.of("texts", List.of("y".repeat(101)))), 413, "characters");
        assertError(get("/v1/search?q=" + "z".repeat(101)), 413, "characters");
        assertEquals(200, get("/v1/search?q=still+serving&k=1").status());
    }

    @Test
    void requestTimeLimitAndApiKey() throws Exception {
        // The model thread is held busy longer than the 300 ms request limit of a second server.
        ServerOptions opt = ServerOptions.defaults().withPort(0).withLimits(1 << 20, 1 << 20, 8, 100, 300)
                .withApiKey("s3cret");
        try (VlmServer slow = VlmServer.start(vlm, model.toString(), index, opt)) {
            URI b = slow.uri();
            assertError(get(b, "/v1/model"), 401, "API key");
            assertError(send(HttpRequest.newBuilder(b.resolve("/v1/model")).header("Authorization", "Bearer nope")),
                    401, "wrong");
            assertEquals(200, get(b, "/v1/health").status(), "health needs no key");
            assertEquals(200, send(HttpRequest.newBuilder(b.resolve("/v1/model"))
                    .header("Authorization", "Bearer s3cret")).status());
            assertEquals(200, send(HttpRequest.newBuilder(b.resolve("/v1/model")).header("X-API-Key", "s3cret"))
                    .status());
            assertEquals(200, get(b, "/v1/thumbnail?key=s3cret&path=" + enc(images.get(0).toString())).status());

            var blocker = slowWorker(slow);
            Reply r = send(HttpRequest.newBuilder(b.resolve("/v1/search?q=late&k=1")).header("X-API-Key", "s3cret"));
            assertError(r, 408, "300 ms");
            blocker.get();
            assertEquals(200, send(HttpRequest.newBuilder(b.resolve("/v1/search?q=on+time&k=1"))
                    .header("X-API-Key", "s3cret")).status(), "serving again once the model is free");
        }
    }

    /** Occupies the server's model thread for one second. */
    static java.util.concurrent.CompletableFuture<Object> slowWorker(VlmServer s) throws Exception {
        var f = s.workerForTests().submit(() -> {
            Thread.sleep(1000);
            return null;
        });
        Thread.sleep(50);
        return f;
    }

    @Test
    void concurrentRequestsAreBatchedAndAnsweredCorrectly() throws Exception {
        long callsBefore = server.batchStats().get("model_calls");
        long itemsBefore = server.batchStats().get("items");
        int n = 24;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<Reply>> fs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String q = "a shape number " + i;
                fs.add(pool.submit(() -> post("/v1/embed", Map.of("texts", List.of(q)))));
            }
            Set<Integer> statuses = new HashSet<>();
            for (int i = 0; i < n; i++) {
                Reply r = fs.get(i).get();
                statuses.add(r.status());
                float[] expected = enc.encodeTexts(List.of("a shape number " + i))[0];
                assertArrayEquals(expected, floats(r.json().get("text_embeddings").get(0)), 1e-5f,
                        "each client gets its own text's embedding");
            }
            assertEquals(Set.of(200), statuses);
        } finally {
            pool.shutdown();
        }
        long calls = server.batchStats().get("model_calls") - callsBefore;
        long items = server.batchStats().get("items") - itemsBefore;
        assertTrue(items >= n);
        assertTrue(calls < n, "24 concurrent requests took " + calls + " model calls: batching joined some");
    }
}
