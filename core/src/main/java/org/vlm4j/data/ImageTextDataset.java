package org.vlm4j.data;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * Image–caption pairs from one of three sources, chosen by a <em>data spec</em> string:
 * <ul>
 *   <li><b>a table</b> — a {@code .tsv} or {@code .csv} file of {@code image, caption} rows, image paths relative
 *       to the table's folder ({@link TableDataset});</li>
 *   <li><b>an image folder</b> — a directory with one sub-folder per class, caption = class name
 *       ({@link FolderDataset}; a directory holding only {@code .tar} files is read as shards instead);</li>
 *   <li><b>WebDataset tar shards</b> — a {@code .tar} path or a pattern such as {@code data-{000..127}.tar}
 *       ({@link ShardPatterns}), streamed shard by shard, never loaded whole ({@link ShardDataset}).</li>
 * </ul>
 * A spec that matches nothing (no such table, a table without rows, a folder without class folders of images, a
 * pattern with no existing shard) is a {@link DataSpecException} naming the spec, raised here before any training
 * starts.
 *
 * <p>A dataset is an immutable description (for tables and folders, an in-memory index of paths and captions;
 * for shards, the shard list); the images are read and decoded by a {@link BatchLoader}. Bad entries are not
 * dropped here but carried as skipped entries, so that every epoch and every resumed loader meets them at the same
 * place (see {@link SkipReason}). Instances are thread-safe.
 */
public abstract sealed class ImageTextDataset permits ImageTextDataset.Indexed, ShardDataset {

    /** Which source a spec selected. */
    public enum Kind { TABLE, FOLDER, SHARDS, /** lines of text, no images ({@link TextLinesDataset}) */ TEXT }

    /** Image file extensions read from folders and shards (lower case, no dot). */
    static final List<String> IMAGE_EXTENSIONS = List.of("jpg", "jpeg", "png", "webp", "gif", "bmp");

    private final String spec;

    ImageTextDataset(String spec) {
        this.spec = Objects.requireNonNull(spec, "spec");
    }

    /**
     * Opens a data spec: a {@code .tsv}/{@code .csv} table, a directory (image folder, or a folder of {@code .tar}
     * shards), or a shard path/pattern ({@code .tar}, braces, globs, {@code ::}).
     *
     * @throws DataSpecException if the spec matches nothing or is malformed (message names the spec)
     * @throws IOException       if a table cannot be read
     */
    public static ImageTextDataset open(String spec) throws IOException {
        if (spec == null || spec.isBlank()) {
            throw new DataSpecException(String.valueOf(spec), "empty data spec");
        }
        String lower = spec.toLowerCase(Locale.ROOT);
        Path p = Path.of(spec);
        if (lower.endsWith(".tsv") || lower.endsWith(".csv")) {
            if (!Files.isRegularFile(p)) {
                throw new DataSpecException(spec, Files.isDirectory(p) ? "is a directory, not a table"
                        : "matches nothing (no such file)");
            }
            return TableDataset.read(spec, p);
        }
        if (Files.isDirectory(p)) {
            if (onlyTarFiles(p)) {
                return ShardDataset.openDirectory(spec, p);
            }
            return FolderDataset.scan(spec, p);
        }
        if (ShardPatterns.isPattern(spec) || lower.endsWith(".tar")) {
            return ShardDataset.openPattern(spec);
        }
        if (Files.exists(p)) {
            throw new DataSpecException(spec, "is neither a .tsv/.csv table, a directory, nor a .tar shard pattern");
        }
        throw new DataSpecException(spec, "matches nothing (no such file or directory)");
    }

    private static boolean onlyTarFiles(Path dir) throws IOException {
        boolean tar = false;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path f : ds) {
                String name = f.getFileName().toString();
                if (name.startsWith(".")) {
                    continue;
                }
                if (Files.isDirectory(f)) {
                    return false;
                }
                if (name.toLowerCase(Locale.ROOT).endsWith(".tar")) {
                    tar = true;
                }
            }
        }
        return tar;
    }

    /** The spec this dataset was opened from. */
    public final String spec() {
        return spec;
    }

    public abstract Kind kind();

    /**
     * Number of entries (bad ones included) when known without reading the data: tables and folders; empty for
     * shards.
     */
    public abstract OptionalLong size();

    /** Class names in label order for an image folder (meta {@code label} indexes this list); empty otherwise. */
    public List<String> classNames() {
        return List.of();
    }

    /** The shard files for {@link Kind#SHARDS} (in pattern order, missing ones included); empty otherwise. */
    public List<Path> shards() {
        return List.of();
    }

    /**
     * The captions of the first {@code max} usable entries in natural order, without decoding any image (tar shards
     * are still read through): what a tokenizer is fitted on.
     */
    public List<String> captions(int max) throws IOException {
        List<String> out = new java.util.ArrayList<>();
        try (SampleSource src = openEpoch(0, 0, false, 1)) {
            for (Sample s = src.next(); s != null && out.size() < max; s = src.next()) {
                if (s.skip() == null) {
                    out.add(s.caption());
                }
            }
        }
        return out;
    }

    /**
     * One epoch's entries. With {@code shuffle}, tables and folders use a permutation drawn from
     * {@code Rng.derive(seed, epoch, 0)}; shards use a shard order and a shuffle buffer of {@code shuffleBuffer}
     * entries drawn from the same seed. Without it, the natural order (file order, sorted folders, shard order).
     */
    abstract SampleSource openEpoch(long epoch, long seed, boolean shuffle, int shuffleBuffer) throws IOException;

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + spec + "]";
    }

    /** Datasets held as an in-memory list of entries: an epoch is a permutation of the list. */
    abstract static sealed class Indexed extends ImageTextDataset permits TableDataset, FolderDataset, TextLinesDataset {
        private final List<Sample> entries;

        Indexed(String spec, List<Sample> entries) {
            super(spec);
            this.entries = List.copyOf(entries);
        }

        List<Sample> entries() {
            return entries;
        }

        @Override
        public OptionalLong size() {
            return OptionalLong.of(entries.size());
        }

        @Override
        SampleSource openEpoch(long epoch, long seed, boolean shuffle, int shuffleBuffer) {
            int n = entries.size();
            int[] order = shuffle ? new Rng(Rng.derive(seed, epoch, 0)).permutation(n) : null;
            return new SampleSource() {
                private int i;

                @Override
                public Sample next() {
                    if (i >= n) {
                        return null;
                    }
                    int k = order == null ? i : order[i];
                    i++;
                    return entries.get(k);
                }

                @Override
                public void close() {}
            };
        }
    }

    /** Lexical containment: {@code rel} is relative, and normalised against {@code root} stays below it. */
    static boolean insideRoot(String rel) {
        if (rel.isEmpty() || rel.startsWith("/") || rel.startsWith("\\") || rel.matches("^[A-Za-z]:.*")) {
            return false;
        }
        int depth = 0;
        for (String part : rel.split("[/\\\\]+")) {
            if (part.equals("..")) {
                if (--depth < 0) {
                    return false;
                }
            } else if (!part.isEmpty() && !part.equals(".")) {
                depth++;
            }
        }
        return depth > 0;
    }
}
