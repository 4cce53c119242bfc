package org.vlm4j.server;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.vlm4j.eval.ZeroShotClassifier;
import org.vlm4j.index.SearchHit;
import org.vlm4j.index.VectorIndex;
import org.vlm4j.model.Captioner;
import org.vlm4j.model.ImageTextEncoder;
import org.vlm4j.model.ImageTextScorer;
import org.vlm4j.model.VlmModel;
import org.vlm4j.model.contrastive.SigLip;
import org.vlm4j.nn.GenerationConfig;

/** The /v1 endpoints. Each validates its input (400/413/415 with a message naming the field) before any model work. */
final class Api {
    static final List<String> ROUTES = List.of("GET /v1/health", "GET /v1/model", "POST /v1/embed",
            "POST /v1/classify", "GET /v1/search", "POST /v1/search", "POST /v1/caption", "POST /v1/score",
            "GET /v1/thumbnail");
    private static final int MAX_TEMPLATES = 16;
    private static final int MAX_CAPTION_TOKENS = 64;
    private static final int CLASSIFIER_CACHE = 64;

    private final VlmModel model;
    private final String modelDir;
    private final ImageTextEncoder batched; // null when the model does not embed
    private final Captioner captioner;
    private final ImageTextScorer scorer;
    private final VectorIndex index;
    private final ModelWorker worker;
    private final ServerOptions opt;
    private final ImageInputs embedImages;
    private final Thumbnails thumbnails;
    private final Map<List<List<String>>, ZeroShotClassifier> classifiers = new ConcurrentHashMap<>();

    Api(VlmModel model, String modelDir, ImageTextEncoder encoder, Captioner captioner, ImageTextScorer scorer,
        VectorIndex index, ModelWorker worker, ServerOptions opt) {
        this.model = model;
        this.modelDir = modelDir;
        this.batched = encoder == null ? null : new BatchingEncoder(encoder, worker, opt.requestTimeoutMs());
        this.captioner = captioner;
        this.scorer = scorer;
        this.index = index;
        this.worker = worker;
        this.opt = opt;
        this.embedImages = encoder == null ? null : new ImageInputs(encoder.preprocessor(), opt.maxImagePixels());
        this.thumbnails = index == null ? null : new Thumbnails(index);
    }

    void handle(HttpExchange ex, String path, String method) throws IOException {
        String route = method + " " + path;
        switch (route) {
            case "GET /v1/health" -> Exchanges.json(ex, 200, Map.of("status", "ok"));
            case "GET /v1/model" -> Exchanges.json(ex, 200, describe());
            case "POST /v1/embed" -> Exchanges.json(ex, 200, embed(body(ex)));
            case "POST /v1/classify" -> Exchanges.json(ex, 200, classify(body(ex)));
            case "GET /v1/search" -> Exchanges.json(ex, 200, searchGet(Exchanges.query(ex)));
            case "POST /v1/search" -> Exchanges.json(ex, 200, searchPost(body(ex)));
            case "POST /v1/caption" -> Exchanges.json(ex, 200, caption(body(ex)));
            case "POST /v1/score" -> Exchanges.json(ex, 200, score(body(ex)));
            case "GET /v1/thumbnail" -> {
                if (thumbnails == null) {
                    throw new ApiException(404, "this server has no index (start it with --index), so no images");
                }
                Thumbnails.Image img = thumbnails.read(Exchanges.query(ex).get("path"));
                ex.getResponseHeaders().set("Content-Security-Policy", "default-src 'none'");
                Exchanges.send(ex, 200, img.contentType(), img.bytes());
            }
            default -> {
                List<String> allowed = ROUTES.stream().filter(r -> r.endsWith(" " + path))
                        .map(r -> r.substring(0, r.indexOf(' '))).toList();
                if (allowed.isEmpty()) {
                    throw new ApiException(404, "no such endpoint: " + path + " (see GET /v1/model)");
                }
                ex.getResponseHeaders().set("Allow", String.join(", ", allowed));
                throw new ApiException(405, method + " is not allowed on " + path + " (use " + String.join(" or ",
                        allowed) + ")");
            }
        }
    }

    private JsonRequest body(HttpExchange ex) throws IOException {
        return JsonRequest.parse(Exchanges.body(ex, opt.maxBodyBytes()));
    }

    private Map<String, Object> describe() throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("family", model.family());
        m.put("model_dir", modelDir);
        m.put("embed_dim", batched == null ? null : batched.embedDim());
        m.put("image_size", batched == null ? null : batched.preprocessor().config().size());
        Map<String, Boolean> caps = new LinkedHashMap<>();
        caps.put("embed", batched != null);
        caps.put("classify", batched != null);
        caps.put("search", batched != null && index != null);
        caps.put("caption", captioner != null);
        caps.put("score", scorer != null);
        m.put("capabilities", caps);
        if (index != null) {
            index.refresh();
            m.put("index", Map.of("path", index.dir().toString(), "count", index.count(), "dim", index.meta().dim()));
        } else {
            m.put("index", null);
        }
        Map<String, Object> limits = new LinkedHashMap<>();
        limits.put("max_body_bytes", opt.maxBodyBytes());
        limits.put("max_image_pixels", opt.maxImagePixels());
        limits.put("max_texts", opt.maxTexts());
        limits.put("max_text_chars", opt.maxTextChars());
        limits.put("max_k", opt.maxK());
        limits.put("request_timeout_ms", opt.requestTimeoutMs());
        m.put("limits", limits);
        long[] s = worker.stats();
        m.put("batching", Map.of("enabled", opt.batching(), "max_batch", opt.maxBatch(), "wait_micros",
                opt.batchWaitMicros(), "model_calls", s[0], "items", s[1]));
        m.put("endpoints", ROUTES);
        return m;
    }

    private ImageTextEncoder encoder(String what) {
        if (batched == null) {
            throw new ApiException(501, "a " + model.family() + " model cannot " + what + " (it does not embed images"
                    + " and texts)");
        }
        return batched;
    }

    private List<String> texts(JsonRequest r, String field) {
        List<String> texts = r.strings(field, opt.maxTexts());
        for (int i = 0; i < texts.size(); i++) {
            if (texts.get(i).length() > opt.maxTextChars()) {
                throw ApiException.tooLarge("field '" + field + "'[" + i + "] has " + texts.get(i).length()
                        + " characters, the limit is " + opt.maxTextChars());
            }
        }
        return texts;
    }

    private String text(JsonRequest r, String field) {
        String t = r.string(field);
        if (t.isBlank()) {
            throw ApiException.badRequest("field '" + field + "' is empty");
        }
        if (t.length() > opt.maxTextChars()) {
            throw ApiException.tooLarge("field '" + field + "' has " + t.length() + " characters, the limit is "
                    + opt.maxTextChars());
        }
        return t;
    }

    private Map<String, Object> embed(JsonRequest r) {
        ImageTextEncoder enc = encoder("embed");
        List<String> texts = texts(r, "texts");
        List<String> images = r.strings("images", opt.maxTexts());
        if (texts.isEmpty() && images.isEmpty()) {
            throw ApiException.badRequest("nothing to embed: give 'texts' (strings) and/or 'images' (base64)");
        }
        float[] pixels = images.isEmpty() ? null : embedImages.pixels("images", images);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("dim", enc.embedDim());
        int size = embedImages.size();
        out.put("image_embeddings", pixels == null ? List.of() : enc.encodePixels(pixels, images.size(), size, size));
        out.put("text_embeddings", texts.isEmpty() ? List.of() : enc.encodeTexts(texts));
        return out;
    }

    private float[] oneImage(JsonRequest r, ImageInputs inputs) {
        return inputs.pixels("image", ImageInputs.base64("image", r.string("image")));
    }

    private Map<String, Object> classify(JsonRequest r) {
        ImageTextEncoder enc = encoder("classify");
        List<String> labels = texts(r, "labels").stream().map(String::strip).filter(s -> !s.isEmpty()).toList();
        if (labels.isEmpty()) {
            throw ApiException.badRequest("field 'labels' must hold at least one non-empty label");
        }
        List<String> templates = texts(r, "templates");
        if (templates.size() > MAX_TEMPLATES) {
            throw ApiException.tooLarge("field 'templates' has " + templates.size() + " entries, the limit is "
                    + MAX_TEMPLATES);
        }
        for (String t : templates) {
            if (!t.contains("{}")) {
                throw ApiException.badRequest("template '" + t + "' has no {} placeholder for the label");
            }
        }
        int topK = r.integer("top_k", labels.size());
        if (topK < 1) {
            throw ApiException.badRequest("field 'top_k' must be at least 1");
        }
        float[] pixels = oneImage(r, embedImages);
        ZeroShotClassifier zs = classifier(enc, labels, templates);
        int size = embedImages.size();
        float[][] emb = enc.encodePixels(pixels, 1, size, size);
        List<Map<String, Object>> out = new ArrayList<>();
        for (ZeroShotClassifier.Prediction p : zs.topK(emb, topK).get(0)) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("label", p.label());
            m.put("probability", p.probability());
            out.add(m);
        }
        return Map.of("labels", out);
    }

    /** Label embeddings are reused across requests with the same labels and templates (the page sends them often). */
    private ZeroShotClassifier classifier(ImageTextEncoder enc, List<String> labels, List<String> templates) {
        List<List<String>> key = List.of(labels, templates);
        ZeroShotClassifier zs = classifiers.get(key);
        if (zs == null) {
            zs = new ZeroShotClassifier(enc, labels, templates, model.family().equals(SigLip.FAMILY));
            if (classifiers.size() >= CLASSIFIER_CACHE) {
                classifiers.clear();
            }
            classifiers.put(key, zs);
        }
        return zs;
    }

    private VectorIndex index() {
        if (index == null) {
            throw new ApiException(404, "this server has no index to search (start it with --index INDEX)");
        }
        return index;
    }

    private int k(int k) {
        if (k < 1 || k > opt.maxK()) {
            throw ApiException.badRequest("k must be 1.." + opt.maxK() + ", got " + k);
        }
        return k;
    }

    private Map<String, Object> searchGet(Map<String, String> q) throws IOException {
        ImageTextEncoder enc = encoder("search");
        VectorIndex idx = index();
        String text = q.get("q");
        if (text == null || text.isBlank()) {
            throw ApiException.badRequest("missing query parameter 'q' (the text to search for)");
        }
        if (text.length() > opt.maxTextChars()) {
            throw ApiException.tooLarge("query 'q' has " + text.length() + " characters, the limit is "
                    + opt.maxTextChars());
        }
        int k;
        try {
            k = q.containsKey("k") ? Integer.parseInt(q.get("k").trim()) : 10;
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("query parameter 'k' must be an integer, got '" + q.get("k") + "'");
        }
        String exact = q.getOrDefault("exact", "false");
        if (!exact.equals("true") && !exact.equals("false")) {
            throw ApiException.badRequest("query parameter 'exact' must be true or false");
        }
        return results(idx, enc.encodeTexts(List.of(text))[0], k(k), exact.equals("true"));
    }

    private Map<String, Object> searchPost(JsonRequest r) throws IOException {
        ImageTextEncoder enc = encoder("search");
        VectorIndex idx = index();
        boolean hasText = r.has("text");
        boolean hasImage = r.has("image");
        if (hasText == hasImage) {
            throw ApiException.badRequest("give exactly one of 'text' (a string) or 'image' (base64)");
        }
        int k = k(r.integer("k", 10));
        boolean exact = r.bool("exact", false);
        float[] query;
        if (hasText) {
            query = enc.encodeTexts(List.of(text(r, "text")))[0];
        } else {
            int size = embedImages.size();
            query = enc.encodePixels(oneImage(r, embedImages), 1, size, size)[0];
        }
        return results(idx, query, k, exact);
    }

    private static Map<String, Object> results(VectorIndex idx, float[] query, int k, boolean exact)
            throws IOException {
        List<SearchHit> hits = exact ? idx.exactSearch(query, k) : idx.search(query, k);
        List<Map<String, Object>> out = new ArrayList<>();
        for (SearchHit h : hits) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("path", h.path());
            m.put("score", h.score());
            m.put("caption", h.caption());
            out.add(m);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("results", out);
        m.put("exact", exact);
        return m;
    }

    private Map<String, Object> caption(JsonRequest r) {
        if (captioner == null) {
            throw new ApiException(501, "a " + model.family() + " model cannot write captions");
        }
        int maxTokens = r.integer("max_tokens", 32);
        if (maxTokens < 1 || maxTokens > MAX_CAPTION_TOKENS) {
            throw ApiException.badRequest("field 'max_tokens' must be 1.." + MAX_CAPTION_TOKENS);
        }
        ImageInputs inputs = new ImageInputs(captioner.preprocessor(), opt.maxImagePixels());
        float[] pixels = oneImage(r, inputs);
        int size = inputs.size();
        List<String> caption = BatchingEncoder.await(worker.submit(() -> captioner.caption(pixels, 1, size, size,
                GenerationConfig.greedy(maxTokens, Set.of()))), opt.requestTimeoutMs());
        return Map.of("caption", caption.get(0));
    }

    private Map<String, Object> score(JsonRequest r) {
        if (scorer == null) {
            throw new ApiException(501, "a " + model.family() + " model cannot score image-text pairs directly");
        }
        List<String> texts = texts(r, "texts");
        if (texts.isEmpty()) {
            throw ApiException.badRequest("field 'texts' must hold at least one text");
        }
        ImageInputs inputs = new ImageInputs(scorer.preprocessor(), opt.maxImagePixels());
        float[] pixels = oneImage(r, inputs);
        int size = inputs.size();
        float[][] s = BatchingEncoder.await(worker.submit(() -> scorer.score(pixels, 1, size, size, texts)),
                opt.requestTimeoutMs());
        return Map.of("scores", s[0]);
    }
}
