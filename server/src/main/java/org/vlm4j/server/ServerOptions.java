package org.vlm4j.server;

/**
 * How the server listens and what it accepts.
 *
 * @param host            interface to bind (127.0.0.1 unless asked otherwise)
 * @param port            TCP port (0 = any free one)
 * @param apiKey          when set, every /v1 request except /v1/health must carry it ({@code Authorization: Bearer
 *                        KEY}, {@code X-API-Key: KEY}, or {@code ?key=KEY} for image links)
 * @param maxBodyBytes    largest request body (413 above)
 * @param maxImagePixels  largest decoded image, width x height, checked from the header before decoding (413)
 * @param maxTexts        most texts (or labels) in one request (413)
 * @param maxTextChars    longest text (413)
 * @param maxK            largest k for search (400)
 * @param requestTimeoutMs how long a request may wait for the model (408 after)
 * @param batching        dynamic batching across concurrent requests (off: one model call per request)
 * @param maxBatch        most images or texts per model call when batching
 * @param batchWaitMicros how long the first request of a batch waits for company
 * @param threads         HTTP worker threads (concurrent requests)
 */
public record ServerOptions(String host, int port, String apiKey, long maxBodyBytes, long maxImagePixels, int maxTexts,
                            int maxTextChars, int maxK, long requestTimeoutMs, boolean batching, int maxBatch,
                            long batchWaitMicros, int threads) {
    public ServerOptions {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, got " + port);
        }
        if (maxBodyBytes < 1 || maxImagePixels < 1 || maxTexts < 1 || maxTextChars < 1 || maxK < 1
                || requestTimeoutMs < 1 || maxBatch < 1 || batchWaitMicros < 0 || threads < 1) {
            throw new IllegalArgumentException("server limits must be positive");
        }
        if (apiKey != null && apiKey.isBlank()) {
            apiKey = null;
        }
    }

    public static ServerOptions defaults() {
        return new ServerOptions("127.0.0.1", 8080, null, 10L << 20, 4096L * 4096, 64, 1000, 1000, 30_000, true, 64,
                3000, 96);
    }

    public ServerOptions withPort(int p) {
        return new ServerOptions(host, p, apiKey, maxBodyBytes, maxImagePixels, maxTexts, maxTextChars, maxK,
                requestTimeoutMs, batching, maxBatch, batchWaitMicros, threads);
    }

    public ServerOptions withHost(String h) {
        return new ServerOptions(h, port, apiKey, maxBodyBytes, maxImagePixels, maxTexts, maxTextChars, maxK,
                requestTimeoutMs, batching, maxBatch, batchWaitMicros, threads);
    }

    public ServerOptions withApiKey(String k) {
        return new ServerOptions(host, port, k, maxBodyBytes, maxImagePixels, maxTexts, maxTextChars, maxK,
                requestTimeoutMs, batching, maxBatch, batchWaitMicros, threads);
    }

    public ServerOptions withLimits(long bodyBytes, long imagePixels, int texts, int textChars, long timeoutMs) {
        return new ServerOptions(host, port, apiKey, bodyBytes, imagePixels, texts, textChars, maxK, timeoutMs,
                batching, maxBatch, batchWaitMicros, threads);
    }

    public ServerOptions withBatching(boolean on, int max, long waitMicros) {
        return new ServerOptions(host, port, apiKey, maxBodyBytes, maxImagePixels, maxTexts, maxTextChars, maxK,
                requestTimeoutMs, on, max, waitMicros, threads);
    }
}
