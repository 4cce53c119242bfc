package org.vlm4j.server.bench;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Load generator for {@code bench/serve-load.sh}: CLIENTS threads, each sending one request at a time (closed loop)
 * for SECONDS or until MAX_REQUESTS in all, against a vlm4j server on 127.0.0.1 only. Prints one JSON line:
 * requests, errors (non-200 answers and failed connections), throughput, p50/p99 latency.
 *
 * <p>Usage: {@code LoadBench URL search|embed CLIENTS SECONDS MAX_REQUESTS [IMAGE_DIR]}. {@code search} sends
 * {@code GET /v1/search?q=...&k=10} with captions that vary per request; {@code embed} posts one PNG from IMAGE_DIR
 * per request to {@code /v1/embed}. Plain JDK (HttpClient), no dependencies.
 */
public final class LoadBench {
    private static final String[] COLORS = {"red", "green", "blue", "yellow", "purple", "orange", "white", "grey"};
    private static final String[] SHAPES = {"circle", "square", "triangle", "star", "cross", "diamond"};

    public static void main(String[] args) throws Exception {
        if (args.length < 5) {
            System.err.println("usage: LoadBench URL search|embed CLIENTS SECONDS MAX_REQUESTS [IMAGE_DIR]");
            System.exit(2);
        }
        URI base = URI.create(args[0]);
        if (!"127.0.0.1".equals(base.getHost()) && !"localhost".equals(base.getHost())) {
            throw new IllegalArgumentException("LoadBench only loads 127.0.0.1, not " + base.getHost());
        }
        String kind = args[1];
        int clients = Integer.parseInt(args[2]);
        double seconds = Double.parseDouble(args[3]);
        long maxRequests = Long.parseLong(args[4]);
        List<String> bodies = new ArrayList<>();
        if (kind.equals("embed")) {
            try (var s = Files.list(Path.of(args[5]))) {
                for (Path p : s.filter(p -> p.toString().endsWith(".png")).sorted().limit(256).toList()) {
                    bodies.add("{\"images\": [\"" + Base64.getEncoder().encodeToString(Files.readAllBytes(p)) + "\"]}");
                }
            }
            if (bodies.isEmpty()) {
                throw new IllegalArgumentException(args[5] + ": no .png files");
            }
        } else if (!kind.equals("search")) {
            throw new IllegalArgumentException("kind must be search or embed, got " + kind);
        }
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        AtomicLong sent = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        String firstError = null;
        long[][] latencies = new long[clients][];
        int[] counts = new int[clients];
        String[] errorSample = new String[1];
        long end = System.nanoTime() + (long) (seconds * 1e9);
        CountDownLatch done = new CountDownLatch(clients);
        long t0 = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            final int id = c;
            latencies[c] = new long[1 << 16];
            Thread t = new Thread(() -> {
                try {
                    long i = id;
                    while (System.nanoTime() < end && sent.getAndIncrement() < maxRequests) {
                        HttpRequest req = kind.equals("search")
                                ? HttpRequest.newBuilder(base.resolve("/v1/search?k=10&q=" + URLEncoder.encode("a "
                                        + COLORS[(int) (i % 8)] + " " + SHAPES[(int) (i / 8 % 6)], StandardCharsets.UTF_8)))
                                        .timeout(Duration.ofSeconds(60)).build()
                                : HttpRequest.newBuilder(base.resolve("/v1/embed")).timeout(Duration.ofSeconds(60))
                                        .header("Content-Type", "application/json")
                                        .POST(HttpRequest.BodyPublishers.ofString(bodies.get((int) (i % bodies.size()))))
                                        .build();
                        i += clients;
                        long s = System.nanoTime();
                        try {
                            HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
                            if (r.statusCode() != 200) {
                                errors.incrementAndGet();
                                synchronized (errorSample) {
                                    if (errorSample[0] == null) {
                                        errorSample[0] = r.statusCode() + " " + r.body();
                                    }
                                }
                            }
                        } catch (Exception e) {
                            errors.incrementAndGet();
                            synchronized (errorSample) {
                                if (errorSample[0] == null) {
                                    errorSample[0] = e.toString();
                                }
                            }
                        }
                        if (counts[id] == latencies[id].length) {
                            latencies[id] = Arrays.copyOf(latencies[id], counts[id] * 2);
                        }
                        latencies[id][counts[id]++] = System.nanoTime() - s;
                    }
                } finally {
                    done.countDown();
                }
            }, "load-" + c);
            t.setDaemon(true);
            t.start();
        }
        done.await();
        double wall = (System.nanoTime() - t0) / 1e9;
        int total = 0;
        for (int n : counts) {
            total += n;
        }
        long[] all = new long[total];
        int at = 0;
        for (int c = 0; c < clients; c++) {
            System.arraycopy(latencies[c], 0, all, at, counts[c]);
            at += counts[c];
        }
        Arrays.sort(all);
        firstError = errorSample[0];
        System.out.printf(Locale.ROOT, "{\"endpoint\": \"%s\", \"clients\": %d, \"seconds\": %.1f, \"requests\": %d,"
                        + " \"errors\": %d, \"throughput_rps\": %.1f, \"p50_ms\": %.1f, \"p99_ms\": %.1f%s}%n",
                kind, clients, wall, total, errors.get(), total / wall, pct(all, 0.50), pct(all, 0.99),
                firstError == null ? "" : ", \"first_error\": \"" + firstError.replace("\"", "'").replace("\n", " ")
                        .substring(0, Math.min(200, firstError.length())) + "\"");
    }

    static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)] / 1e6;
    }
}
