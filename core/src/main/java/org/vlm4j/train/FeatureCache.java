package org.vlm4j.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.vlm4j.io.AtomicFiles;

/**
 * The outputs of a frozen tower, one float array per data sample (keyed by the sample's {@code __key__}), so bridge
 * training computes each image's features once instead of every epoch. In memory, or on disk (one little-endian f32
 * file per key, named by the key's SHA-256, written atomically) so a later run over the same data and tower reuses
 * them. The cache trusts its keys: use one directory per frozen tower and preprocessing, and no image augmentation.
 */
public final class FeatureCache {
    private final Path dir;
    private final ConcurrentHashMap<String, float[]> memory = new ConcurrentHashMap<>();
    private final AtomicLong hits = new AtomicLong();
    private final AtomicLong misses = new AtomicLong();

    private FeatureCache(Path dir) {
        this.dir = dir;
    }

    public static FeatureCache inMemory() {
        return new FeatureCache(null);
    }

    /** Cached on disk under {@code dir} (created if missing), and in memory once read. */
    public static FeatureCache onDisk(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": cannot create the feature cache directory", e);
        }
        return new FeatureCache(dir);
    }

    /** The features of that sample, or null (counted as a miss). */
    public float[] get(String key) {
        float[] v = memory.get(key);
        if (v == null && dir != null) {
            Path f = file(key);
            if (Files.isRegularFile(f)) {
                try {
                    byte[] bytes = Files.readAllBytes(f);
                    if (bytes.length % 4 != 0) {
                        throw new IllegalStateException(f + ": feature cache file of " + bytes.length
                                + " bytes is not a whole number of floats (delete it)");
                    }
                    v = new float[bytes.length / 4];
                    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
                    memory.put(key, v);
                } catch (IOException e) {
                    throw new UncheckedIOException(f + ": cannot read cached features", e);
                }
            }
        }
        (v == null ? misses : hits).incrementAndGet();
        return v;
    }

    public void put(String key, float[] features) {
        memory.put(key, features);
        if (dir != null) {
            ByteBuffer b = ByteBuffer.allocate(features.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(features);
            try {
                AtomicFiles.writeBytes(file(key), b.array());
            } catch (IOException e) {
                throw new UncheckedIOException(file(key) + ": cannot write cached features", e);
            }
        }
    }

    public long hits() {
        return hits.get();
    }

    public long misses() {
        return misses.get();
    }

    public int size() {
        return memory.size();
    }

    private Path file(String key) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return dir.resolve(HexFormat.of().formatHex(h) + ".f32");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
