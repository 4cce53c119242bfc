package org.vlm4j.data;

import java.awt.image.BufferedImage;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.zip.GZIPInputStream;
import org.vlm4j.image.ImageWorkers;

/**
 * Converts an IDX image/label pair (the MNIST family's format: MNIST, Fashion-MNIST, KMNIST, EMNIST; plain or
 * {@code .gz}) into WebDataset tar shards of PNGs (grey as RGB) with captions from a template ({@code "a photo of a
 * {}"}) and the class name as field {@code class} (and its index as {@code label}), so that every trainer and
 * evaluator reads it as any other data spec.
 */
public final class IdxImport {
    private IdxImport() {}

    /** What was written: the shard spec (a brace pattern) and the sample count. */
    public record Result(String spec, int count, int rows, int cols) {}

    /**
     * @param classes  the class names by label index
     * @param template a caption template containing {@code {}}
     * @param stem     shard file stem: shards are {@code out/<stem>-NNNN.tar}
     * @param limit    at most this many samples (&lt;= 0: all)
     */
    public static Result convert(Path images, Path labels, List<String> classes, String template, Path out,
                                 String stem, int shardSize, int limit) throws IOException {
        if (!template.contains("{}")) {
            throw new IllegalArgumentException("caption template '" + template + "' has no {}");
        }
        if (shardSize <= 0) {
            throw new IllegalArgumentException("shard size must be positive, got " + shardSize);
        }
        int[] y = readLabels(labels);
        try (DataInputStream in = open(images)) {
            int magic = in.readInt();
            if (magic != 0x00000803) {
                throw new IllegalArgumentException(images + ": not an IDX image file (magic 0x"
                        + Integer.toHexString(magic) + ", expected 0x803: unsigned bytes, 3 dimensions)");
            }
            int n = in.readInt();
            int rows = in.readInt();
            int cols = in.readInt();
            if (n != y.length) {
                throw new IllegalArgumentException(images + " has " + n + " images but " + labels + " has " + y.length
                        + " labels");
            }
            if (limit > 0) {
                n = Math.min(n, limit);
            }
            Files.createDirectories(out);
            int shards = (n + shardSize - 1) / shardSize;
            byte[] px = new byte[rows * cols];
            for (int s = 0; s < shards; s++) {
                int from = s * shardSize;
                int to = Math.min(n, from + shardSize);
                List<Future<ShardWriter.Entry>> pending = new ArrayList<>();
                for (int i = from; i < to; i++) {
                    try {
                        in.readFully(px);
                    } catch (EOFException e) {
                        throw new IllegalArgumentException(images + ": ends after " + i + " of " + n + " images");
                    }
                    int label = y[i];
                    if (label < 0 || label >= classes.size()) {
                        throw new IllegalArgumentException(labels + ": label " + label + " of sample " + i
                                + " has no class name (" + classes.size() + " given)");
                    }
                    byte[] copy = px.clone();
                    pending.add(ImageWorkers.shared().submit(() -> entry(copy, rows, cols, classes.get(label), label,
                            template)));
                }
                List<ShardWriter.Entry> entries = new ArrayList<>(pending.size());
                for (Future<ShardWriter.Entry> f : pending) {
                    entries.add(get(f));
                }
                ShardWriter.write(out.resolve(String.format(Locale.ROOT, "%s-%04d.tar", stem, s)), from, entries);
            }
            String spec = out.resolve(shards == 1 ? stem + "-0000.tar"
                    : String.format(Locale.ROOT, "%s-{0000..%04d}.tar", stem, shards - 1)).toString();
            return new Result(spec, n, rows, cols);
        }
    }

    private static ShardWriter.Entry entry(byte[] px, int rows, int cols, String cls, int label, String template) {
        // grey replicated to RGB: the PNG writer takes 3-byte images, and the models read RGB anyway
        BufferedImage img = new BufferedImage(cols, rows, BufferedImage.TYPE_3BYTE_BGR);
        byte[] bgr = new byte[rows * cols * 3];
        for (int i = 0; i < px.length; i++) {
            bgr[3 * i] = px[i];
            bgr[3 * i + 1] = px[i];
            bgr[3 * i + 2] = px[i];
        }
        img.getRaster().setDataElements(0, 0, cols, rows, bgr);
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("class", cls);
        fields.put("label", Integer.toString(label));
        return new ShardWriter.Entry(template.replace("{}", cls), fields, PngEncoder.encode(img));
    }

    static int[] readLabels(Path labels) throws IOException {
        try (DataInputStream in = open(labels)) {
            int magic = in.readInt();
            if (magic != 0x00000801) {
                throw new IllegalArgumentException(labels + ": not an IDX label file (magic 0x"
                        + Integer.toHexString(magic) + ", expected 0x801: unsigned bytes, 1 dimension)");
            }
            int n = in.readInt();
            byte[] b = new byte[n];
            try {
                in.readFully(b);
            } catch (EOFException e) {
                throw new IllegalArgumentException(labels + ": ends before its " + n + " labels");
            }
            int[] y = new int[n];
            for (int i = 0; i < n; i++) {
                y[i] = b[i] & 0xff;
            }
            return y;
        }
    }

    private static DataInputStream open(Path file) throws IOException {
        InputStream raw = new java.io.BufferedInputStream(Files.newInputStream(file), 1 << 16);
        raw.mark(2);
        int b0 = raw.read();
        int b1 = raw.read();
        raw.reset();
        return new DataInputStream(b0 == 0x1f && b1 == 0x8b ? new GZIPInputStream(raw, 1 << 16) : raw);
    }

    private static <T> T get(Future<T> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UncheckedIOException u) {
                throw u.getCause();
            }
            throw new IOException(e.getCause());
        }
    }
}
