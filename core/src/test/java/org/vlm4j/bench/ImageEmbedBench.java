package org.vlm4j.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import org.vlm4j.engine.Vlm4jEngine;
import org.vlm4j.model.contrastive.Clip;
import org.vlm4j.model.contrastive.ClipPresets;
import org.vlm4j.nn.NoGrad;
import org.vlm4j.nn.VisionConfig;

/**
 * Image-embedding throughput of a CLIP image tower (random weights), the Java half of {@code bench/image-embed.sh}
 * (the other half is {@code bench/pytorch_clip_vision.py}, the same architecture in plain PyTorch). Not a test.
 *
 * <pre>
 * java -cp core/target/test-classes:core/target/classes:$(cat cp.txt) org.vlm4j.bench.ImageEmbedBench vit-b-32 16 15 3
 * </pre>
 *
 * Arguments: preset ({@code vit-b-32 | small | tiny}), batch, seconds, warm-up iterations, and optionally the mode:
 * <ul>
 *   <li>{@code pixels} (default): the public inference path, {@code model.encodePixels(float[], n, h, w)} (NDScope
 *       per batch, no-grad, pixels copied in, L2-normalised embeddings copied back to Java);</li>
 *   <li>{@code encode}: only {@code normalize(visual.encode(x))} on an NDArray made once, one NDScope per batch, no
 *       copies in or out (what the PyTorch script times).</li>
 * </ul>
 * Random pixels are made once. Prints one JSON line ({@code "impl":"vlm4j"}) with the median batch time over the
 * iterations that other processes left alone ({@link LoadMonitor}: at most {@code -Dbench.foreignMax=0.10} of the
 * machine used by others; all iterations if fewer than 3 were clean, then {@code "clean":false}). The timed loop
 * runs until the clean iterations add up to {@code seconds}, at most {@code -Dbench.maxFactor=3} times that. The
 * engine settings come from {@code -Dvlm4j.mklShim}, {@code -Dvlm4j.mallocTuning}, {@code -Dvlm4j.threads}.
 */
public final class ImageEmbedBench {

    private ImageEmbedBench() {}

    public static void main(String[] args) {
        if (args.length < 4) {
            System.err.println("usage: ImageEmbedBench preset batch seconds warmup [pixels|encode]");
            System.exit(2);
        }
        String preset = args[0];
        int batch = Integer.parseInt(args[1]);
        double seconds = Double.parseDouble(args[2]);
        int warmup = Integer.parseInt(args[3]);
        String mode = args.length > 4 ? args[4] : "pixels";
        if (!mode.equals("pixels") && !mode.equals("encode")) {
            throw new IllegalArgumentException("mode must be pixels or encode, got " + mode);
        }
        try (Clip model = new Clip(ClipPresets.get(preset), null, 0)) {
            VisionConfig v = model.config().vision();
            int size = v.imageSize();
            float[] pixels = randomPixels(batch * 3 * size * size, 42);
            Timings times;
            if (mode.equals("pixels")) {
                Runnable step = () -> {
                    float[][] out = model.encodePixels(pixels, batch, size, size);
                    if (out.length != batch || out[0].length != model.embedDim()) {
                        throw new IllegalStateException("unexpected output shape");
                    }
                };
                times = time(step, warmup, seconds);
            } else {
                try (NDManager m = model.manager().newSubManager()) {
                    NDArray x = m.create(pixels, new Shape(batch, 3, size, size));
                    Runnable step = () -> {
                        try (NDScope scope = new NDScope(); NoGrad g = new NoGrad()) {
                            NDArray out = Clip.normalize(model.visual().encode(x));
                            if (out.getShape().get(0) != batch) {
                                throw new IllegalStateException("unexpected output shape");
                            }
                        }
                    };
                    times = time(step, warmup, seconds);
                }
            }
            print(preset, batch, mode, times, Vlm4jEngine.init().summary());
        }
    }

    static float[] randomPixels(int count, long seed) {
        Random r = new Random(seed);
        float[] p = new float[count];
        for (int i = 0; i < count; i++) {
            p[i] = (float) r.nextGaussian();
        }
        return p;
    }

    /** Iteration times and, for each, the share of the machine that other processes used meanwhile. */
    record Timings(long[] nanos, double[] foreign, double foreignMax) {
        /** The iterations that other processes left alone (used at most foreignMax of the machine). */
        long[] clean() {
            return java.util.stream.IntStream.range(0, nanos.length).filter(i -> foreign[i] <= foreignMax)
                    .mapToLong(i -> nanos[i]).toArray();
        }

        /** The clean iterations if there are at least 3, else all of them. */
        long[] used() {
            long[] c = clean();
            return c.length >= 3 ? c : nanos;
        }
    }

    /**
     * Runs warm-up iterations, then iterations until the clean ones (see {@link LoadMonitor}) add up to
     * {@code seconds}, or until {@code bench.maxFactor} (default 3) times {@code seconds} have passed.
     */
    static Timings time(Runnable step, int warmup, double seconds) {
        for (int i = 0; i < warmup; i++) {
            step.run();
        }
        double foreignMax = Double.parseDouble(System.getProperty("bench.foreignMax", "0.10"));
        double maxFactor = Double.parseDouble(System.getProperty("bench.maxFactor", "3"));
        long budget = (long) (seconds * 1e9);
        long hardBudget = (long) (seconds * maxFactor * 1e9);
        int cap = 1 << 16;
        long[] times = new long[cap];
        double[] foreign = new double[cap];
        LoadMonitor monitor = new LoadMonitor();
        int n = 0;
        long clean = 0;
        long start = System.nanoTime();
        long t1;
        do {
            monitor.start();
            long t0 = System.nanoTime();
            step.run();
            t1 = System.nanoTime();
            times[n] = t1 - t0;
            foreign[n] = monitor.foreign();
            if (foreign[n] <= foreignMax) {
                clean += times[n];
            }
            n++;
        } while (n < cap && clean < budget && t1 - start < hardBudget);
        return new Timings(Arrays.copyOf(times, n), Arrays.copyOf(foreign, n), foreignMax);
    }

    static double medianNanos(long[] times) {
        long[] s = times.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2.0;
    }

    /** The q-quantile (nearest rank) of the times. */
    static double quantileNanos(long[] times, double q) {
        long[] s = times.clone();
        Arrays.sort(s);
        return s[(int) Math.min(s.length - 1, Math.round(q * (s.length - 1)))];
    }

    private static void print(String preset, int batch, String mode, Timings t, String engine) {
        long[] used = t.used();
        double med = medianNanos(used);
        double all = medianNanos(t.nanos());
        double foreignMean = Arrays.stream(t.foreign()).average().orElse(0);
        System.out.printf(Locale.ROOT,
                "{\"impl\":\"vlm4j\",\"preset\":\"%s\",\"batch\":%d,\"images_per_s\":%.3f,\"ms_per_batch_median\":%.3f,"
                        + "\"ms_per_batch_min\":%.3f,\"ms_per_batch_p90\":%.3f,\"iterations\":%d,\"clean_iterations\":%d,"
                        + "\"clean\":%b,\"images_per_s_all_iterations\":%.3f,\"foreign_mean_pct\":%.1f,\"mode\":\"%s\","
                        + "\"engine\":\"%s\"}%n",
                preset, batch, batch / (med / 1e9), med / 1e6, quantileNanos(used, 0) / 1e6, quantileNanos(used, 0.9) / 1e6,
                t.nanos().length, t.clean().length, t.clean().length >= 3, batch / (all / 1e9), 100 * foreignMean, mode,
                jsonEscape(engine));
    }

    static String jsonEscape(String s) {
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }
}
