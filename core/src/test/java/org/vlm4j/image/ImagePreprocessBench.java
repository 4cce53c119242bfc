package org.vlm4j.image;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.vlm4j.image.ImagePreprocessor.PreprocessConfig;

/**
 * Throughput of the ViT-B/32 transform (decode + Pillow-exact resize + crop + normalise) over the 5 fixture images.
 * Not a test. Run from the repository root:
 * <pre>
 * mvn -B -q -f pom.xml -pl core test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=org.vlm4j.image.ImagePreprocessBench -Dexec.args="2 10"
 * </pre>
 * Arguments: threads (default 2), seconds to measure (default 10; the same again is spent warming up).
 */
public final class ImagePreprocessBench {
    private ImagePreprocessBench() {}

    public static void main(String[] args) throws Exception {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 10;
        Path dir = Path.of(System.getProperty("fixtures",
                "core/src/test/resources/fixtures/openclip/preprocess/images"));
        if (!dir.toFile().isDirectory()) {
            dir = Path.of("src/test/resources/fixtures/openclip/preprocess/images");
        }
        List<Path> files = new ArrayList<>();
        for (String f : new String[] {"webtide_logo.jpg", "pyparsingClassDiagram_1.5.2.jpg", "camera-web.png",
                "gnupg-card-architecture.png", "synthetic_noise_301x203.png"}) {
            files.add(dir.resolve(f));
        }
        ImagePreprocessor pre = new ImagePreprocessor(PreprocessConfig.openaiClip(224));
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            run(pre, files, pool, seconds, false);
            double perSec = run(pre, files, pool, seconds, true);
            System.out.printf("ViT-B/32 transform, batches of %d fixture images, %d threads, %d cores: %.1f images/s%n",
                    files.size(), threads, Runtime.getRuntime().availableProcessors(), perSec);
            // Single-thread breakdown per image.
            for (Path f : files) {
                int n = 0;
                long decode = 0;
                long transform = 0;
                long end = System.nanoTime() + (long) (seconds / 5 * 1e9);
                while (System.nanoTime() < end || n < 3) {
                    long t0 = System.nanoTime();
                    DecodedImage img = ImageDecoder.defaults().decode(f);
                    long t1 = System.nanoTime();
                    pre.preprocess(img);
                    long t2 = System.nanoTime();
                    decode += t1 - t0;
                    transform += t2 - t1;
                    n++;
                }
                System.out.printf("  %-34s decode %7.2f ms, resize+crop+normalise %6.2f ms (1 thread)%n",
                        f.getFileName(), decode / 1e6 / n, transform / 1e6 / n);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static double run(ImagePreprocessor pre, List<Path> files, ExecutorService pool, double seconds,
                              boolean report) throws Exception {
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        long images = 0;
        while (System.nanoTime() < end) {
            pre.preprocessBatch(files, pool);
            images += files.size();
        }
        return images / ((System.nanoTime() - start) / 1e9);
    }
}
