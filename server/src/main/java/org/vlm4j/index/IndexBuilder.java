package org.vlm4j.index;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.vlm4j.data.DatasetEntries;
import org.vlm4j.data.ImageTextDataset;
import org.vlm4j.image.ImageDecoder;
import org.vlm4j.image.ImagePreprocessor;
import org.vlm4j.image.ImageWorkers;
import org.vlm4j.model.ImageTextEncoder;

/**
 * Embeds a collection (any data spec: a TSV/CSV table, an image folder, tar shards) into a {@link VectorIndex},
 * incrementally: an image whose path and signature (size, modification time) are already in the index is not
 * embedded again; a changed one is replaced. The index is committed every {@link Options#commitEvery} batches, so
 * a build killed at any point (kill -9 included) loses at most the uncommitted batches, and re-running it picks up
 * where the last commit was: documents are keyed by path, so nothing is ever indexed twice.
 */
public final class IndexBuilder {
    /**
     * @param batchSize   images per model call
     * @param commitEvery batches between commits
     * @param prune       remove indexed images under this collection's root that the collection no longer has
     *                    ({@code index build}); {@code index add} keeps them
     */
    public record Options(int batchSize, int commitEvery, boolean prune) {
        public Options {
            if (batchSize < 1 || commitEvery < 1) {
                throw new IllegalArgumentException("batchSize and commitEvery must be at least 1");
            }
        }

        public static Options defaults() {
            return new Options(64, 8, true);
        }
    }

    /** Progress: images embedded so far out of those that needed it. */
    @FunctionalInterface
    public interface Progress {
        void update(long done, long total);
    }

    /**
     * What a run did.
     *
     * @param seen      entries in the collection
     * @param added     new images indexed
     * @param updated   changed images re-indexed
     * @param unchanged images already indexed with the same signature
     * @param deleted   indexed images no longer in the collection (prune)
     * @param failed    entries skipped (unreadable or undecodable images, bad rows), with the first few problems
     */
    public record Report(long seen, long added, long updated, long unchanged, long deleted, long failed,
                         List<String> problems, long total, double seconds, double decodeSeconds, double modelSeconds,
                         double writeSeconds) {
        public double imagesPerSecond() {
            return seconds > 0 ? (added + updated) / seconds : 0;
        }
    }

    private final ImageTextEncoder encoder;
    private final ImagePreprocessor pre;

    public IndexBuilder(ImageTextEncoder encoder) {
        this.encoder = encoder;
        this.pre = new ImagePreprocessor(encoder.preprocessor().config(), ImageDecoder.defaults());
    }

    /** The absolute folder a data spec's paths live under (the table's folder, the image folder, the shards' one). */
    public static Path rootOf(ImageTextDataset data) {
        Path p = Path.of(data.spec()).toAbsolutePath().normalize();
        if (data.kind() == ImageTextDataset.Kind.FOLDER || Files.isDirectory(p)) {
            return p;
        }
        if (data.kind() == ImageTextDataset.Kind.SHARDS && !data.shards().isEmpty()) {
            return data.shards().get(0).toAbsolutePath().normalize().getParent();
        }
        return p.getParent();
    }

    /** The index's identity and signature for one entry. */
    static IndexedImage describe(DatasetEntries.Entry e) throws IOException {
        Path file = e.file().toAbsolutePath().normalize();
        String sig = Files.size(file) + "-" + Files.getLastModifiedTime(file).toMillis();
        if (e.member() == null) {
            return new IndexedImage(file.toString(), e.caption(), sig, file, null, 0, -1);
        }
        return new IndexedImage(file + ":" + e.member(), e.caption(), sig + "@" + e.offset(), file, e.member(),
                e.offset(), e.length());
    }

    public Report run(ImageTextDataset data, VectorIndex index, Options opt, Progress progress) throws IOException {
        long t0 = System.nanoTime();
        Path root = rootOf(data);
        IndexMeta meta = index.meta().withRoot(root.toString());
        Map<String, String> existing = index.signatures();
        List<IndexedImage> todo = new ArrayList<>();
        Set<String> seenPaths = new HashSet<>();
        List<String> problems = new ArrayList<>();
        Tally counts = new Tally();
        DatasetEntries.forEach(data, e -> {
            counts.seen++;
            if (!e.ok()) {
                fail(counts, problems, e.problem());
                return;
            }
            IndexedImage img;
            try {
                img = describe(e);
            } catch (IOException ex) {
                fail(counts, problems, e.key() + ": " + ex.getMessage() + " (cannot read)");
                return;
            }
            if (!seenPaths.add(img.path())) {
                return; // the same image listed twice: index it once
            }
            String sig = existing.get(img.path());
            if (img.signature().equals(sig)) {
                counts.unchanged++;
            } else {
                todo.add(img);
            }
        });
        long deleted = 0;
        if (opt.prune()) {
            String prefix = root + java.io.File.separator;
            for (String path : existing.keySet()) {
                if (path.startsWith(prefix) && !seenPaths.contains(path)) {
                    index.delete(path);
                    deleted++;
                }
            }
        }
        long done = 0;
        int batches = 0;
        progress.update(0, todo.size());
        for (int start = 0; start < todo.size(); start += opt.batchSize()) {
            List<IndexedImage> part = todo.subList(start, Math.min(todo.size(), start + opt.batchSize()));
            embedBatch(part, index, existing, counts, problems);
            done += part.size();
            progress.update(done, todo.size());
            if (++batches % opt.commitEvery() == 0) {
                long c0 = System.nanoTime();
                index.commit(meta);
                counts.writeNanos += System.nanoTime() - c0;
            }
        }
        long c0 = System.nanoTime();
        index.commit(meta);
        counts.writeNanos += System.nanoTime() - c0;
        return new Report(counts.seen, counts.added, counts.updated, counts.unchanged, deleted, counts.failed,
                List.copyOf(problems), index.count(), (System.nanoTime() - t0) / 1e9, counts.decodeNanos / 1e9,
                counts.modelNanos / 1e9, counts.writeNanos / 1e9);
    }

    private static final class Tally {
        long seen;
        long added;
        long updated;
        long unchanged;
        long failed;
        long decodeNanos;
        long modelNanos;
        long writeNanos; // upserts and commits
    }

    private static void fail(Tally counts, List<String> problems, String problem) {
        counts.failed++;
        if (problems.size() < 10) {
            problems.add(problem);
        }
    }

    /** Decodes the batch in parallel (bad images are skipped and reported), embeds the good ones, writes them. */
    private void embedBatch(List<IndexedImage> part, VectorIndex index, Map<String, String> existing, Tally counts,
                            List<String> problems) throws IOException {
        int per = pre.imageFloats();
        long t0 = System.nanoTime();
        List<Future<float[]>> futures = new ArrayList<>();
        for (IndexedImage img : part) {
            futures.add(ImageWorkers.shared().submit(() -> pre.preprocess(ImageDecoder.defaults().decode(img.read(),
                    img.path()))));
        }
        List<IndexedImage> good = new ArrayList<>();
        List<float[]> pixels = new ArrayList<>();
        for (int i = 0; i < part.size(); i++) {
            try {
                pixels.add(futures.get(i).get());
                good.add(part.get(i));
            } catch (ExecutionException ex) {
                Throwable c = ex.getCause();
                fail(counts, problems, part.get(i).path() + ": " + c.getMessage());
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", ex);
            }
        }
        long t1 = System.nanoTime();
        counts.decodeNanos += t1 - t0;
        if (good.isEmpty()) {
            return;
        }
        float[] flat = new float[good.size() * per];
        for (int i = 0; i < good.size(); i++) {
            System.arraycopy(pixels.get(i), 0, flat, i * per, per);
        }
        int size = pre.config().size();
        float[][] emb = encoder.encodePixels(flat, good.size(), size, size);
        long t2 = System.nanoTime();
        counts.modelNanos += t2 - t1;
        for (int i = 0; i < good.size(); i++) {
            index.upsert(good.get(i), emb[i]);
            if (existing.containsKey(good.get(i).path())) {
                counts.updated++;
            } else {
                counts.added++;
            }
        }
        counts.writeNanos += System.nanoTime() - t2;
    }

    /** A summary for {@code --json}. */
    public static Map<String, Object> toJson(Report r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seen", r.seen());
        m.put("added", r.added());
        m.put("updated", r.updated());
        m.put("unchanged", r.unchanged());
        m.put("deleted", r.deleted());
        m.put("failed", r.failed());
        m.put("problems", r.problems());
        m.put("total", r.total());
        m.put("seconds", r.seconds());
        m.put("images_per_second", r.imagesPerSecond());
        m.put("decode_seconds", r.decodeSeconds());
        m.put("model_seconds", r.modelSeconds());
        m.put("write_seconds", r.writeSeconds());
        return m;
    }
}
