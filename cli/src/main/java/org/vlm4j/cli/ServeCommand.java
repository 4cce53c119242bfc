package org.vlm4j.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.vlm4j.index.ModelFingerprint;
import org.vlm4j.index.VectorIndex;
import org.vlm4j.io.AtomicFiles;
import org.vlm4j.model.VlmModel;
import org.vlm4j.server.ServerOptions;
import org.vlm4j.server.VlmServer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serve a model (and an index) over HTTP: the web page at / and the JSON API under /v1 "
                + "(health, model, embed, classify, search, caption, score, thumbnail). Runs until stopped (Ctrl-C)."})
final class ServeCommand implements Callable<Integer> {
    /** Released by the shutdown hook, or by tests through {@link #stopAll()}. */
    private static volatile CountDownLatch running = new CountDownLatch(1);

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "a vlm4j model directory")
    Path model;

    @Option(names = "--index", paramLabel = "INDEX", description = "an index built with this model (enables search)")
    Path index;

    @Option(names = "--port", defaultValue = "8080", description = "TCP port, 0 for any free one (default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--host", defaultValue = "127.0.0.1",
            description = "interface to bind (default: ${DEFAULT-VALUE}; 0.0.0.0 exposes the server to the network)")
    String host;

    @Option(names = "--api-key", paramLabel = "KEY", defaultValue = "${env:VLM4J_API_KEY}",
            description = "require this key on /v1 requests (default: $VLM4J_API_KEY, none when unset)")
    String apiKey;

    @Option(names = "--no-batching", description = "one model call per request (dynamic batching is on by default)")
    boolean noBatching;

    @Option(names = "--max-batch", defaultValue = "64", description = "images or texts per batched model call (default: ${DEFAULT-VALUE})")
    int maxBatch;

    @Option(names = "--batch-wait-us", defaultValue = "3000",
            description = "how long a request waits for others to batch with, microseconds (default: ${DEFAULT-VALUE})")
    long batchWaitMicros;

    @Option(names = "--max-upload-mb", defaultValue = "10", description = "largest request body (default: ${DEFAULT-VALUE})")
    int maxUploadMb;

    @Option(names = "--max-image-pixels", defaultValue = "16777216",
            description = "largest uploaded image, width x height (default: ${DEFAULT-VALUE})")
    long maxPixels;

    @Option(names = "--max-texts", defaultValue = "64", description = "texts or labels per request (default: ${DEFAULT-VALUE})")
    int maxTexts;

    @Option(names = "--request-timeout-ms", defaultValue = "30000", description = "(default: ${DEFAULT-VALUE})")
    long timeoutMs;

    @Option(names = "--threads", defaultValue = "96", description = "concurrent HTTP requests (default: ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--port-file", paramLabel = "FILE", description = "write the port listened on to FILE (with --port 0)")
    Path portFile;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ServerOptions d = ServerOptions.defaults();
        ServerOptions opt = new ServerOptions(host, port, apiKey, (long) maxUploadMb << 20, maxPixels, maxTexts,
                d.maxTextChars(), d.maxK(), timeoutMs, !noBatching, maxBatch, batchWaitMicros, threads);
        CountDownLatch latch = running;
        try (VlmModel m = Cli.load(model);
             VectorIndex idx = index == null ? null
                     : VectorIndex.openForReading(index, ModelFingerprint.of(model), model.toString());
             VlmServer server = VlmServer.start(m, model.toAbsolutePath().normalize().toString(), idx, opt)) {
            Thread hook = new Thread(latch::countDown, "vlm4j-serve-stop");
            Runtime.getRuntime().addShutdownHook(hook);
            if (portFile != null) {
                AtomicFiles.writeString(portFile, server.port() + "\n");
            }
            PrintWriter out = spec.commandLine().getOut();
            out.printf("vlm4j: serving %s%s on %s (batching %s)%n", model, index == null ? "" : " and " + index,
                    server.uri(), noBatching ? "off" : "on");
            out.flush();
            latch.await();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is exiting: closing below is all that is left to do
            }
        }
        return 0;
    }

    /** Stops every running serve command of this JVM (tests). */
    static void stopAll() {
        CountDownLatch l = running;
        running = new CountDownLatch(1);
        l.countDown();
    }
}
