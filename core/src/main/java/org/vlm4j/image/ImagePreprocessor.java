package org.vlm4j.image;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * OpenCLIP's eval image transform, reproduced bit for bit: decode → resize → center crop → RGB → /255 → normalise,
 * giving float32 CHW tensors.
 *
 * <p>For {@code resizeMode = "shortest"} (OpenCLIP's default, e.g. ViT-B-32) this is torchvision 0.14's
 * {@code Resize(size, BICUBIC)} on a PIL image (short side → {@code size}, long side
 * {@code int(size * long / short)}, truncated) followed by {@code CenterCrop(size)} (offset
 * {@code int(round((len - size) / 2))}, Python's half-to-even rounding). The resize is Pillow's
 * ({@link PilResize}). {@code "squash"} resizes both sides to {@code size} without cropping (SigLIP / Hugging Face
 * style).
 *
 * <p><b>Default order.</b> OpenCLIP converts to RGB <em>after</em> resize and crop ({@code _convert_to_rgb} is the
 * third step), and the default here ({@code rgbFirst = false}) does the same, because that is what produces
 * OpenCLIP's own numbers, and therefore the embeddings its published models were evaluated with. The order
 * matters for two Pillow quirks: RGBA (and LA) images are resized in premultiplied alpha and the alpha is then
 * dropped, so transparent regions come out black-ish instead of their stored colour (up to 253 levels apart on the
 * fixture icon), and palette ({@code P}) and bilevel images are resized with NEAREST whatever filter is asked for
 * (up to 205 levels apart from a bicubic resize of the RGB image). {@code rgbFirst = true} converts with
 * {@code convert("RGB")} first (as many other pipelines do, and OpenCLIP's {@code *_rgb_first} fixtures); both
 * orders agree exactly for RGB and L inputs.
 *
 * <p>Normalisation is done in float32 exactly as torchvision ({@code (u8 / 255f - mean) / std}), so an identical
 * uint8 picture gives identical floats.
 *
 * <p><b>Thread-safety.</b> Instances are immutable (the config arrays are copied) and {@link ImageDecoder} is
 * stateless, so one preprocessor may be used from any number of threads. {@link #preprocessBatch(List,
 * ExecutorService)} runs one task per image on the given pool, so the pool's size bounds both the parallelism and
 * the number of decoded images held in memory at once; {@link #preprocessBatch(List, int)} does the same on a
 * private fixed pool of that many daemon threads, shut down before it returns.
 */
public final class ImagePreprocessor {

    /** OpenCLIP's {@code OPENAI_DATASET_MEAN}. */
    public static final float[] OPENAI_CLIP_MEAN = {0.48145466f, 0.4578275f, 0.40821073f};
    /** OpenCLIP's {@code OPENAI_DATASET_STD}. */
    public static final float[] OPENAI_CLIP_STD = {0.26862954f, 0.26130258f, 0.27577711f};

    /**
     * Transform settings, named after OpenCLIP's {@code PreprocessCfg}.
     *
     * @param size          output side (square output)
     * @param mean          per-channel mean (3 values)
     * @param std           per-channel std (3 values)
     * @param interpolation {@code "bicubic"}, {@code "bilinear"}, {@code "nearest"} (also box/hamming/lanczos)
     * @param resizeMode    {@code "shortest"} (resize short side, center crop) or {@code "squash"}
     * @param rgbFirst      convert to RGB before resizing instead of after (OpenCLIP: false)
     */
    public record PreprocessConfig(int size, float[] mean, float[] std, String interpolation, String resizeMode,
                                   boolean rgbFirst) {
        public PreprocessConfig {
            if (size <= 0) {
                throw new IllegalArgumentException("size must be positive, got " + size);
            }
            Objects.requireNonNull(mean, "mean");
            Objects.requireNonNull(std, "std");
            if (mean.length != 3 || std.length != 3) {
                throw new IllegalArgumentException("mean and std need 3 values each");
            }
            for (float s : std) {
                if (!(s > 0)) {
                    throw new IllegalArgumentException("std values must be positive: " + Arrays.toString(std));
                }
            }
            mean = mean.clone();
            std = std.clone();
            PilResize.Filter.parse(Objects.requireNonNull(interpolation, "interpolation"));
            if (!"shortest".equals(resizeMode) && !"squash".equals(resizeMode)) {
                throw new IllegalArgumentException("resizeMode must be 'shortest' or 'squash', got '" + resizeMode
                        + "'");
            }
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof PreprocessConfig p && size == p.size && Arrays.equals(mean, p.mean)
                    && Arrays.equals(std, p.std) && interpolation.equals(p.interpolation)
                    && resizeMode.equals(p.resizeMode) && rgbFirst == p.rgbFirst;
        }

        @Override
        public int hashCode() {
            return Objects.hash(size, Arrays.hashCode(mean), Arrays.hashCode(std), interpolation, resizeMode, rgbFirst);
        }

        @Override
        public float[] mean() {
            return mean.clone();
        }

        @Override
        public float[] std() {
            return std.clone();
        }

        /** OpenAI CLIP / OpenCLIP ViT defaults: CLIP mean/std, bicubic, shortest side + center crop. */
        public static PreprocessConfig openaiClip(int size) {
            return new PreprocessConfig(size, OPENAI_CLIP_MEAN, OPENAI_CLIP_STD, "bicubic", "shortest", false);
        }

        /** SigLIP: mean = std = 0.5, bicubic, both sides resized to {@code size} (no crop). */
        public static PreprocessConfig siglip(int size) {
            float[] half = {0.5f, 0.5f, 0.5f};
            return new PreprocessConfig(size, half, half, "bicubic", "squash", false);
        }

        public PreprocessConfig withRgbFirst(boolean value) {
            return new PreprocessConfig(size, mean, std, interpolation, resizeMode, value);
        }

        @Override
        public String toString() {
            return "PreprocessConfig[size=" + size + ", mean=" + Arrays.toString(mean) + ", std="
                    + Arrays.toString(std) + ", interpolation=" + interpolation + ", resizeMode=" + resizeMode
                    + ", rgbFirst=" + rgbFirst + "]";
        }
    }

    /** Where a picture goes: resized size and crop window (in resized coordinates). */
    public record Geometry(int resizedWidth, int resizedHeight, int cropX, int cropY, int cropWidth,
                           int cropHeight) {}

    private final PreprocessConfig config;
    private final ImageDecoder decoder;
    private final PilResize.Filter filter;

    public ImagePreprocessor(PreprocessConfig config) {
        this(config, ImageDecoder.defaults());
    }

    public ImagePreprocessor(PreprocessConfig config, ImageDecoder decoder) {
        this.config = Objects.requireNonNull(config, "config");
        this.decoder = Objects.requireNonNull(decoder, "decoder");
        this.filter = PilResize.Filter.parse(config.interpolation());
    }

    public PreprocessConfig config() {
        return config;
    }

    /** Floats per image: {@code 3 * size * size}. */
    public int imageFloats() {
        return 3 * config.size() * config.size();
    }

    /** Decodes and transforms one file to a {@code [3, size, size]} float32 CHW array. */
    public float[] preprocess(Path file) throws IOException {
        return preprocess(decoder.decode(file));
    }

    /** Transforms a decoded image to a {@code [3, size, size]} float32 CHW array. */
    public float[] preprocess(DecodedImage img) {
        float[] out = new float[imageFloats()];
        normalizeInto(resizeAndCrop(img), out, 0);
        return out;
    }

    /**
     * The uint8 RGB picture that gets normalised (size x size): resize, crop and RGB conversion in the configured
     * order. Equals OpenCLIP's {@code resized_cropped_u8} fixture.
     */
    public DecodedImage resizeAndCrop(DecodedImage img) {
        DecodedImage src = config.rgbFirst() ? img.toRgb() : img;
        Geometry g = geometry(src.width(), src.height());
        DecodedImage cropped = PilResize.resize(src, g.resizedWidth(), g.resizedHeight(), filter, g.cropX(),
                g.cropY(), g.cropWidth(), g.cropHeight());
        return cropped.toRgb();
    }

    /** Resized size and crop window for an input of {@code w x h}. */
    public Geometry geometry(int w, int h) {
        int size = config.size();
        if ("squash".equals(config.resizeMode())) {
            return new Geometry(size, size, 0, 0, size, size);
        }
        int[] rs = shortestSideSize(w, h, size);
        int[] off = centerCropOffset(rs[0], rs[1], size);
        return new Geometry(rs[0], rs[1], off[0], off[1], size, size);
    }

    /**
     * torchvision's {@code Resize(size)} output for a {@code w x h} image: {@code {newW, newH}} with the short side
     * {@code size} and the long side {@code int(size * long / short)}.
     */
    public static int[] shortestSideSize(int w, int h, int size) {
        if (w <= h) {
            return new int[] {size, (int) ((double) ((long) size * h) / w)};
        }
        return new int[] {(int) ((double) ((long) size * w) / h), size};
    }

    /**
     * torchvision's {@code CenterCrop(size)} offset {@code {left, top}} = {@code int(round((len - size) / 2))}
     * with Python's round-half-to-even. Requires {@code w, h >= size} (torchvision pads otherwise; never needed
     * after a shortest-side resize).
     */
    public static int[] centerCropOffset(int w, int h, int size) {
        if (w < size || h < size) {
            throw new IllegalArgumentException("image " + w + "x" + h + " is smaller than the crop " + size);
        }
        return new int[] {roundHalfEvenHalf(w - size), roundHalfEvenHalf(h - size)};
    }

    private static int roundHalfEvenHalf(int d) {
        int k = d / 2;
        if (d % 2 == 0) {
            return k;
        }
        return (k % 2 == 0) ? k : k + 1; // k + 0.5 rounds to the even neighbour
    }

    /** {@code ToTensor} + {@code Normalize}: writes 3 x H x W floats at {@code off}. */
    void normalizeInto(DecodedImage rgb, float[] out, int off) {
        int n = rgb.width() * rgb.height();
        byte[] px = rgb.pixels();
        float[] mean = config.mean;
        float[] std = config.std;
        for (int c = 0; c < 3; c++) {
            float m = mean[c];
            float s = std[c];
            int o = off + c * n;
            for (int i = 0, p = c; i < n; i++, p += 3) {
                out[o + i] = ((px[p] & 0xff) / 255f - m) / s;
            }
        }
    }

    /**
     * Preprocesses {@code files} in parallel on {@code pool} (one task per image) and returns
     * {@code N x 3 x size x size} floats, contiguous, in input order. The first failure in input order is thrown
     * (the remaining tasks are cancelled). The pool is not shut down.
     */
    public float[] preprocessBatch(List<Path> files, ExecutorService pool) throws IOException {
        Objects.requireNonNull(pool, "pool");
        int per = imageFloats();
        long total = (long) files.size() * per;
        if (total > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException(files.size() + " images of " + per
                    + " floats do not fit one Java array; split the batch");
        }
        float[] out = new float[(int) total];
        List<Future<?>> futures = new ArrayList<>(files.size());
        for (int i = 0; i < files.size(); i++) {
            final int idx = i;
            final Path file = files.get(i);
            futures.add(pool.submit(() -> {
                try {
                    normalizeInto(resizeAndCrop(decoder.decode(file)), out, idx * per);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                return null;
            }));
        }
        try {
            for (Future<?> f : futures) {
                f.get();
            }
        } catch (InterruptedException e) {
            futures.forEach(f -> f.cancel(true));
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while preprocessing a batch of " + files.size() + " images", e);
        } catch (ExecutionException | CancellationException e) {
            futures.forEach(f -> f.cancel(true));
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            if (cause instanceof UncheckedIOException u) {
                throw u.getCause();
            }
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IOException(cause);
        }
        return out;
    }

    /**
     * As {@link #preprocessBatch(List, ExecutorService)} on a private pool of {@code threads} daemon threads (at
     * most one per image), shut down before returning.
     */
    public float[] preprocessBatch(List<Path> files, int threads) throws IOException {
        if (threads <= 0) {
            throw new IllegalArgumentException("threads must be positive, got " + threads);
        }
        int n = Math.max(1, Math.min(threads, files.size()));
        AtomicInteger counter = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(n, r -> {
            Thread t = new Thread(r, "vlm4j-preprocess-" + counter.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        try {
            return preprocessBatch(files, pool);
        } finally {
            pool.shutdownNow();
        }
    }
}
