package org.vlm4j.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.vlm4j.image.ImagePreprocessor;
import org.vlm4j.image.ImagePreprocessor.PreprocessConfig;

/**
 * Throughput of the training input pipeline: Shapes PNGs in WebDataset tar shards → {@link BatchLoader} (tar
 * streaming, shuffle buffer, PNG decode, Pillow-exact bicubic resize + CLIP normalisation on worker threads, batch
 * assembly). Not a test. Run from the repository root:
 * <pre>
 * mvn -B -q -f pom.xml -pl core test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=org.vlm4j.data.DataPipelineBench -Dexec.args="2 10 64 64"
 * </pre>
 * Arguments: worker threads (default 2), seconds to measure (default 10; half as much again is spent warming up),
 * generated image side (default 64), preprocessed side (default 64; with a generated side of 64 the resize is the
 * identity, give e.g. {@code 96 64} to measure a real bicubic downscale), batch size (default 64), scenes (default
 * 4096, in shards of 512).
 */
public final class DataPipelineBench {
    private DataPipelineBench() {}

    public static void main(String[] args) throws Exception {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 10;
        int genSize = args.length > 2 ? Integer.parseInt(args[2]) : 64;
        int outSize = args.length > 3 ? Integer.parseInt(args[3]) : 64;
        int batch = args.length > 4 ? Integer.parseInt(args[4]) : 64;
        int count = args.length > 5 ? Integer.parseInt(args[5]) : 4096;
        Path dir = Files.createTempDirectory("vlm4j-data-bench");
        try {
            long g0 = System.nanoTime();
            Shapes.Summary s = Shapes.generate(dir, Shapes.Config.of(count, 1).withSize(genSize)
                    .withFormat(Shapes.Format.TAR).withShardSize(512));
            double gen = (System.nanoTime() - g0) / 1e9;
            System.out.printf("generated %d Shapes scenes (%d px) as tar shards in %.2f s (%.0f images/s, cold JVM)%n",
                    count + 2 * s.winoground(), genSize, gen, (count + 2 * s.winoground()) / gen);
            ImageTextDataset ds = ImageTextDataset.open(s.data().get("train"));
            ImagePreprocessor pre = new ImagePreprocessor(PreprocessConfig.openaiClip(outSize));
            AtomicInteger n = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
                Thread t = new Thread(r, "bench-worker-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            BatchLoader.Options opt = BatchLoader.Options.training(batch, 7).withWorkers(pool).withPrefetch(4);
            try (BatchLoader loader = new BatchLoader(ds, pre, opt)) {
                measure(loader, seconds / 2);
                long[] r = measure(loader, seconds);
                double perSec = r[0] / (r[1] / 1e9);
                System.out.printf("BatchLoader from tar shards: %.0f images/s (%d px -> %d px, decode + resize + "
                                + "normalise on %d worker threads, batch %d, %d cores; consumer waited %.0f%% of the"
                                + " time)%n", perSec, genSize, outSize, threads, batch,
                        Runtime.getRuntime().availableProcessors(), 100.0 * r[2] / r[1]);
                System.out.printf("position after the run: %s, skipped: %s%n", loader.position(), loader.skipped());
            } finally {
                pool.shutdownNow();
            }
        } finally {
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Takes batches for {@code seconds}: {images, elapsed ns, ns spent waiting in next()}. */
    private static long[] measure(BatchLoader loader, double seconds) throws InterruptedException {
        long images = 0;
        long waited = 0;
        long t0 = System.nanoTime();
        long end = t0 + (long) (seconds * 1e9);
        long now = t0;
        while (now < end) {
            long w0 = System.nanoTime();
            Batch b = loader.next();
            now = System.nanoTime();
            waited += now - w0;
            images += b.size();
        }
        return new long[] {images, now - t0, waited};
    }
}
