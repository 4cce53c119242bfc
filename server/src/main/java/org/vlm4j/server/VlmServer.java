package org.vlm4j.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vlm4j.index.VectorIndex;
import org.vlm4j.model.Captioner;
import org.vlm4j.model.ImageTextEncoder;
import org.vlm4j.model.ImageTextScorer;
import org.vlm4j.model.VlmModel;

/**
 * The HTTP server: the JSON API under {@code /v1/} ({@link Api}), thumbnails of indexed images, and the static web
 * page at {@code /}. Built on the JDK's own HTTP server (no dependency; the API needs JSON and byte bodies only, and
 * every limit is enforced here). Binds to 127.0.0.1 unless told otherwise. Every error is a JSON object
 * {@code {"error": "...", "status": N}}; a failing request never stops the server.
 */
public final class VlmServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(VlmServer.class);
    private static final AtomicInteger THREADS = new AtomicInteger();
    private static final Map<String, String> STATIC = Map.of("/", "index.html", "/index.html", "index.html",
            "/static/app.js", "app.js", "/static/style.css", "style.css");

    private final ServerOptions options;
    private final HttpServer http;
    private final ExecutorService pool;
    private final ModelWorker worker;
    private final Api api;
    private final ScheduledExecutorService refresher;

    private VlmServer(ServerOptions options, HttpServer http, ExecutorService pool, ModelWorker worker, Api api,
                      ScheduledExecutorService refresher) {
        this.options = options;
        this.http = http;
        this.pool = pool;
        this.worker = worker;
        this.api = api;
        this.refresher = refresher;
    }

    /**
     * Starts serving {@code model} (and {@code index}, which may be null: search is then unavailable). The caller
     * keeps ownership of the model and the index and closes them after the server.
     */
    public static VlmServer start(VlmModel model, String modelDir, VectorIndex index, ServerOptions opt)
            throws IOException {
        if (System.getProperty("sun.net.httpserver.maxReqTime") == null) {
            // The JDK server drops connections whose request takes longer than this to arrive (slow senders).
            System.setProperty("sun.net.httpserver.maxReqTime", Long.toString(Math.max(1, opt.requestTimeoutMs() / 1000)));
        }
        ImageTextEncoder encoder = model instanceof ImageTextEncoder e ? e : null;
        ModelWorker worker = new ModelWorker(encoder, opt.batching(), opt.maxBatch(), opt.batchWaitMicros());
        Api api = new Api(model, modelDir, encoder, model instanceof Captioner c ? c : null,
                model instanceof ImageTextScorer s ? s : null, index, worker, opt);
        HttpServer http = HttpServer.create(new InetSocketAddress(opt.host(), opt.port()), 512);
        ThreadPoolExecutor pool = new ThreadPoolExecutor(opt.threads(), opt.threads(), 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "vlm4j-http-" + THREADS.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        http.setExecutor(pool);
        // Picks up what `vlm4j index add/build` commits while the server runs.
        ScheduledExecutorService refresher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "vlm4j-index-refresh");
            t.setDaemon(true);
            return t;
        });
        if (index != null) {
            refresher.scheduleWithFixedDelay(() -> {
                try {
                    index.refresh();
                } catch (IOException | RuntimeException e) {
                    LOG.warn("index refresh failed: {}", e.toString());
                }
            }, 5, 5, TimeUnit.SECONDS);
        }
        VlmServer server = new VlmServer(opt, http, pool, worker, api, refresher);
        http.createContext("/", server::handle);
        http.start();
        LOG.info("vlm4j server on {} (model {}, index {}, batching {})", server.uri(), modelDir,
                index == null ? "none" : index.dir(), opt.batching() ? "on" : "off");
        return server;
    }

    public int port() {
        return http.getAddress().getPort();
    }

    public URI uri() {
        String host = options.host().contains(":") ? "[" + options.host() + "]" : options.host();
        return URI.create("http://" + host + ":" + port() + "/");
    }

    private void handle(HttpExchange ex) {
        try {
            String path = ex.getRequestURI().getPath();
            if (path.startsWith("/v1/")) {
                if (!path.equals("/v1/health")) {
                    authorize(ex);
                }
                api.handle(ex, path, ex.getRequestMethod());
            } else {
                serveStatic(ex, path);
            }
        } catch (ApiException e) {
            reply(ex, e.status(), e.getMessage());
        } catch (IllegalArgumentException e) {
            reply(ex, 400, e.getMessage());
        } catch (Throwable t) {
            LOG.warn("request {} {} failed", ex.getRequestMethod(), ex.getRequestURI(), t);
            reply(ex, 500, "internal error: " + t.getClass().getSimpleName()
                    + (t.getMessage() == null ? "" : ": " + t.getMessage().lines().findFirst().orElse("")));
        } finally {
            ex.close();
        }
    }

    private static void reply(HttpExchange ex, int status, String message) {
        try {
            Exchanges.error(ex, status, message == null ? "error" : message);
        } catch (IOException | RuntimeException ignored) {
            // the client went away, or headers were already sent: nothing more to say
        }
    }

    private void authorize(HttpExchange ex) {
        String key = options.apiKey();
        if (key == null) {
            return;
        }
        String given = ex.getRequestHeaders().getFirst("X-API-Key");
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        if (given == null && auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            given = auth.substring(7).trim();
        }
        if (given == null) {
            given = Exchanges.query(ex).get("key");
        }
        if (given == null || !MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8),
                key.getBytes(StandardCharsets.UTF_8))) {
            ex.getResponseHeaders().set("WWW-Authenticate", "Bearer");
            throw new ApiException(401, given == null ? "this server needs an API key (Authorization: Bearer KEY)"
                    : "wrong API key");
        }
    }

    private void serveStatic(HttpExchange ex, String path) throws IOException {
        String name = STATIC.get(path);
        if (name == null) {
            throw new ApiException(404, "no such page: " + path);
        }
        if (!ex.getRequestMethod().equals("GET")) {
            ex.getResponseHeaders().set("Allow", "GET");
            throw new ApiException(405, ex.getRequestMethod() + " is not allowed on " + path);
        }
        byte[] body;
        try (InputStream in = VlmServer.class.getResourceAsStream("web/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource web/" + name);
            }
            body = in.readAllBytes();
        }
        String type = name.endsWith(".html") ? "text/html; charset=utf-8"
                : name.endsWith(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8";
        Exchanges.send(ex, 200, type, body);
    }

    /** Model calls and items embedded so far: with batching, items per call rises with concurrent load. */
    public Map<String, Long> batchStats() {
        long[] s = worker.stats();
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("model_calls", s[0]);
        m.put("items", s[1]);
        return m;
    }

    @Override
    public void close() {
        http.stop(0);
        refresher.shutdownNow();
        pool.shutdownNow();
        worker.close();
    }

    /** The model thread, for tests that need to keep it busy. */
    ModelWorker workerForTests() {
        return worker;
    }

    static List<String> routes() {
        return Api.ROUTES;
    }
}
