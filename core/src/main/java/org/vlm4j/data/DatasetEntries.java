package org.vlm4j.data;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A dataset's entries in natural order with where each image lives, without decoding any image: what an index
 * builder needs to tell new, changed and unchanged images apart before embedding them. Tables and folders give
 * image files; tar shards give members (shard file, byte offset, length), read through once.
 */
public final class DatasetEntries {
    private DatasetEntries() {}

    /**
     * One entry.
     *
     * @param key     the entry's name in messages (table path as written, folder-relative path, shard:key)
     * @param caption the caption (null when {@code problem} is set)
     * @param file    the image file, or for a shard member the shard file; null when {@code problem} is set
     * @param member  the member name inside the shard, or null for an image file
     * @param offset  the member's byte offset in the shard (0 for a file)
     * @param length  the member's length in bytes (-1 for a file)
     * @param problem why the entry is unusable (one line), or null
     */
    public record Entry(String key, String caption, Path file, String member, long offset, int length,
                        String problem) {
        public boolean ok() {
            return problem == null;
        }

        /** The encoded image bytes. */
        public byte[] read() throws IOException {
            if (member == null) {
                return new Sample.FileRef(file).read();
            }
            return new Sample.ShardRef(file, member, offset, length).read();
        }
    }

    @FunctionalInterface
    public interface Visitor {
        void accept(Entry e) throws IOException;
    }

    /** Calls {@code v} for every entry (unusable ones included, with their problem) in the dataset's natural order. */
    public static void forEach(ImageTextDataset data, Visitor v) throws IOException {
        try (SampleSource src = data.openEpoch(0, 0, false, 1)) {
            for (Sample s = src.next(); s != null; s = src.next()) {
                if (s.skip() != null) {
                    v.accept(new Entry(s.key(), null, null, null, 0, -1, s.problem()));
                } else if (s.image() instanceof Sample.FileRef f) {
                    v.accept(new Entry(s.key(), s.caption(), f.file(), null, 0, -1, null));
                } else if (s.image() instanceof Sample.ShardRef r) {
                    v.accept(new Entry(s.key(), s.caption(), r.shard(), r.member(), r.offset(), r.length(), null));
                } else {
                    throw new IllegalStateException("unknown image reference " + s.image());
                }
            }
        }
    }
}
