package org.vlm4j.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * WebDataset tar shards, streamed: each shard is read once, front to back (Apache Commons Compress), and only
 * headers and small text members are held; image members are recorded as (shard, offset, length) and read by the
 * loader's workers with positional reads.
 *
 * <p><b>Samples.</b> Members are grouped WebDataset-style: the key is the member path up to the first dot of its
 * file name, the extension is the rest, lower-cased ({@code a/0001.jpg} → key {@code a/0001}, extension
 * {@code jpg}); consecutive members with the same key form one sample. The image is the first member with an image
 * extension ({@code jpg jpeg png webp gif bmp}); the caption is {@code txt} (or {@code text}, {@code caption}),
 * UTF-8, stripped; every other member up to 64 KiB becomes a metadata field named by its extension (decoded as
 * UTF-8, malformed bytes replaced). Metadata also holds {@code __key__} and {@code __shard__} (the shard's file
 * name). Directories, links and hidden members ({@code ._*}) are ignored.
 *
 * <p><b>Bad data</b> becomes skipped entries: a sample without image ({@code missing_image}), without or with a
 * blank caption ({@code missing_caption}), with a caption that is not UTF-8 ({@code caption_not_utf8}), a member
 * named with {@code ..} or an absolute path ({@code path_outside_root}); a shard whose header is corrupt, whose last
 * member's data runs past the end of the file, or that ends without tar's end-of-archive block
 * ({@code truncated_shard}, one count per shard: the samples before the break are kept; the sample the break falls
 * in and the rest of the shard are lost, and so is the sample before it when the break is in a header or at the
 * end, since more of its members might have followed); a shard that does not exist or cannot be opened ({@code
 * missing_shard}). Corrupt and zero-byte images are found when the loader decodes them.
 *
 * <p><b>Order.</b> An epoch visits the shards in an order permuted with {@code Rng.derive(seed, epoch, 1)} and
 * passes their samples through a shuffle buffer of {@code B} entries drawn with {@code Rng.derive(seed, epoch, 2)}:
 * the buffer is filled to {@code B}, then each output takes a uniformly random slot, which is refilled by the next
 * sample (or, once the shards are exhausted, by the buffer's last entry). Both depend only on the seed, the
 * epoch and the shard contents, so replaying an epoch's stream reproduces it; replay reads headers and captions
 * only (image bytes are skipped over, never decoded).
 */
final class ShardDataset extends ImageTextDataset {
    static final List<String> CAPTION_EXTENSIONS = List.of("txt", "text", "caption");
    static final int MAX_META_BYTES = 64 * 1024;
    static final int MAX_CAPTION_BYTES = 1 << 20;
    static final int MAX_IMAGE_BYTES = Integer.MAX_VALUE - 16;

    private final List<Path> shards;

    private ShardDataset(String spec, List<Path> shards) {
        super(spec);
        this.shards = List.copyOf(shards);
    }

    static ShardDataset openPattern(String spec) throws IOException {
        List<Path> paths;
        try {
            paths = ShardPatterns.expand(spec);
        } catch (IllegalArgumentException e) {
            throw new DataSpecException(spec, e.getMessage());
        }
        return checked(spec, paths);
    }

    /** All {@code *.tar} files directly in {@code dir}, sorted by name. */
    static ShardDataset openDirectory(String spec, Path dir) throws IOException {
        List<Path> paths = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.tar")) {
            for (Path p : ds) {
                if (Files.isRegularFile(p) && !p.getFileName().toString().startsWith(".")) {
                    paths.add(p);
                }
            }
        }
        paths.sort(null);
        return checked(spec, paths);
    }

    private static ShardDataset checked(String spec, List<Path> paths) throws DataSpecException {
        if (paths.isEmpty()) {
            throw new DataSpecException(spec, "matches nothing (the pattern names no shard file)");
        }
        long existing = paths.stream().filter(Files::isRegularFile).count();
        if (existing == 0) {
            throw new DataSpecException(spec, "matches nothing (none of its " + paths.size()
                    + " shard file(s) exists, e.g. " + paths.get(0) + ")");
        }
        return new ShardDataset(spec, paths);
    }

    @Override
    public Kind kind() {
        return Kind.SHARDS;
    }

    @Override
    public OptionalLong size() {
        return OptionalLong.empty();
    }

    @Override
    public List<Path> shards() {
        return shards;
    }

    @Override
    SampleSource openEpoch(long epoch, long seed, boolean shuffle, int shuffleBuffer) {
        List<Path> order = shards;
        if (shuffle) {
            int[] perm = new Rng(Rng.derive(seed, epoch, 1)).permutation(shards.size());
            List<Path> o = new ArrayList<>(shards.size());
            for (int i : perm) {
                o.add(shards.get(i));
            }
            order = o;
        }
        Rng bufRng = shuffle && shuffleBuffer > 1 ? new Rng(Rng.derive(seed, epoch, 2)) : null;
        return new EpochStream(order, bufRng, Math.max(1, shuffleBuffer));
    }

    /** Shards in order, through the shuffle buffer (when {@code rng} is set). */
    private static final class EpochStream implements SampleSource {
        private final List<Path> order;
        private final Rng rng;
        private final int capacity;
        private final ArrayList<Sample> buffer;
        private int nextShard;
        private ShardReader current;
        private boolean exhausted;

        EpochStream(List<Path> order, Rng rng, int capacity) {
            this.order = order;
            this.rng = rng;
            this.capacity = capacity;
            this.buffer = rng == null ? null : new ArrayList<>(Math.min(capacity, 1 << 16));
        }

        @Override
        public Sample next() throws IOException {
            if (rng == null) {
                return raw();
            }
            while (!exhausted && buffer.size() < capacity) {
                Sample s = raw();
                if (s == null) {
                    exhausted = true;
                } else {
                    buffer.add(s);
                }
            }
            int n = buffer.size();
            if (n == 0) {
                return null;
            }
            int j = rng.nextInt(n);
            Sample out = buffer.get(j);
            Sample last = buffer.remove(n - 1);
            if (j < n - 1) {
                buffer.set(j, last);
            }
            return out;
        }

        private Sample raw() throws IOException {
            while (true) {
                if (current == null) {
                    if (nextShard >= order.size()) {
                        return null;
                    }
                    current = new ShardReader(order.get(nextShard++));
                }
                Sample s = current.next();
                if (s != null) {
                    return s;
                }
                current.close();
                current = null;
            }
        }

        @Override
        public void close() throws IOException {
            if (current != null) {
                current.close();
                current = null;
            }
        }
    }

    /** Reads one shard's samples in member order (including skipped ones). */
    static final class ShardReader implements AutoCloseable {
        private final Path shard;
        private final String shardName;
        private final ArrayDeque<Sample> ready = new ArrayDeque<>();
        private long fileLength;
        private TarArchiveInputStream tar;
        private boolean done;
        private long lastEnd; // end of the last member's padded data (where the end-of-archive block must start)

        // The sample being assembled.
        private String key;
        private Sample.ShardRef image;
        private byte[] caption;
        private String outsideName;
        private String tooLarge;
        private Map<String, String> meta;

        ShardReader(Path shard) {
            this.shard = shard;
            this.shardName = shard.getFileName().toString();
            try {
                fileLength = Files.size(shard);
                InputStream in = new BufferedInputStream(Files.newInputStream(shard), 1 << 16);
                tar = new TarArchiveInputStream(in);
            } catch (NoSuchFileException e) {
                finish(Sample.bad(shard.toString(), SkipReason.MISSING_SHARD, shard + ": no such shard file"));
            } catch (IOException e) {
                finish(Sample.bad(shard.toString(), SkipReason.MISSING_SHARD, shard + ": cannot open shard ("
                        + TableDataset.oneLine(e.getMessage()) + ")"));
            }
        }

        /** The next sample of the shard (possibly skipped), or null at its end. */
        Sample next() {
            while (ready.isEmpty() && !done) {
                step();
            }
            return ready.poll();
        }

        private void step() {
            TarArchiveEntry e;
            long offset;
            try {
                e = tar.getNextEntry();
                offset = tar.getBytesRead();
            } catch (IOException | RuntimeException ex) {
                truncated("cannot read past offset " + tar.getBytesRead() + " ("
                        + TableDataset.oneLine(ex.getMessage()) + ")");
                return;
            }
            if (e == null) {
                if (!endMarkerAt(lastEnd)) {
                    truncated("ends without the tar end-of-archive block (cut after offset " + lastEnd + ")");
                    return;
                }
                flush();
                finish(null);
                return;
            }
            long size = e.getSize();
            String name = e.getName();
            int slash = name.lastIndexOf('/');
            String base = name.substring(slash + 1);
            int dot = base.indexOf('.');
            String k = dot < 0 ? name : name.substring(0, slash + 1 + dot);
            String ext = dot < 0 ? "" : base.substring(dot + 1).toLowerCase(Locale.ROOT);
            boolean member = e.isFile() && !base.startsWith(".");
            if (member && !k.equals(key)) {
                flush(); // a member of another key follows: the sample before is complete
            }
            if (size < 0 || offset + size > fileLength) {
                truncated("member " + name + " needs " + size + " bytes at offset " + offset + " but the file has "
                        + fileLength);
                return;
            }
            lastEnd = offset + ((size + 511) / 512) * 512;
            if (!member) {
                return;
            }
            if (!k.equals(key)) {
                key = k;
                meta = new LinkedHashMap<>();
            }
            if (!ImageTextDataset.insideRoot(name) && outsideName == null) {
                outsideName = name;
            }
            try {
                if (ImageTextDataset.IMAGE_EXTENSIONS.contains(ext)) {
                    if (image == null && tooLarge == null) {
                        if (size > MAX_IMAGE_BYTES) {
                            tooLarge = name + " is " + size + " bytes, too large to decode";
                        } else {
                            image = new Sample.ShardRef(shard, name, offset, (int) size);
                        }
                    }
                } else if (CAPTION_EXTENSIONS.contains(ext)) {
                    if (caption == null) {
                        caption = readMember(e, (int) Math.min(size, MAX_CAPTION_BYTES));
                    }
                } else if (size <= MAX_META_BYTES && !ext.isEmpty()) {
                    byte[] b = readMember(e, (int) size);
                    meta.put(ext, new String(b, StandardCharsets.UTF_8));
                }
            } catch (IOException ex) {
                truncated("cannot read member " + name + " (" + TableDataset.oneLine(ex.getMessage()) + ")");
            }
        }

        private byte[] readMember(TarArchiveEntry e, int n) throws IOException {
            byte[] b = tar.readNBytes(n);
            if (b.length != n) {
                throw new IOException("member " + e.getName() + " is cut short: " + b.length + " of " + n + " bytes");
            }
            return b;
        }

        /** Turns the assembled sample into a good or skipped entry. */
        private void flush() {
            if (key == null) {
                return;
            }
            String id = shardName + ":" + key;
            Sample s;
            if (outsideName != null) {
                s = Sample.bad(id, SkipReason.PATH_OUTSIDE_ROOT, shard + ": member " + outsideName
                        + " has an absolute path or climbs out with ..");
            } else if (tooLarge != null) {
                s = Sample.bad(id, SkipReason.CORRUPT_IMAGE, shard + ": " + tooLarge);
            } else if (image == null) {
                s = Sample.bad(id, SkipReason.MISSING_IMAGE, shard + ": sample " + key + " has no image member ("
                        + String.join(", ", ImageTextDataset.IMAGE_EXTENSIONS) + ")");
            } else if (caption == null) {
                s = Sample.bad(id, SkipReason.MISSING_CAPTION, shard + ": sample " + key + " has no caption (.txt)");
            } else {
                String text = strictUtf8(caption);
                if (text == null) {
                    s = Sample.bad(id, SkipReason.CAPTION_NOT_UTF8, shard + ": caption of " + key
                            + " is not valid UTF-8");
                } else if (text.isBlank()) {
                    s = Sample.bad(id, SkipReason.MISSING_CAPTION, shard + ": caption of " + key + " is empty");
                } else {
                    Map<String, String> m = new LinkedHashMap<>();
                    m.put("__key__", key);
                    m.put("__shard__", shardName);
                    m.putAll(meta);
                    s = Sample.good(id, image, text.strip(), Collections.unmodifiableMap(m));
                }
            }
            ready.add(s);
            key = null;
            image = null;
            caption = null;
            outsideName = null;
            tooLarge = null;
            meta = null;
        }

        private boolean endMarkerAt(long pos) {
            if (fileLength < pos + 512) {
                return false;
            }
            ByteBuffer buf = ByteBuffer.allocate(512);
            try (FileChannel ch = FileChannel.open(shard, StandardOpenOption.READ)) {
                long p = pos;
                while (buf.hasRemaining()) {
                    int n = ch.read(buf, p);
                    if (n < 0) {
                        return false;
                    }
                    p += n;
                }
            } catch (IOException e) {
                return false;
            }
            for (byte b : buf.array()) {
                if (b != 0) {
                    return false;
                }
            }
            return true;
        }

        private void truncated(String problem) {
            // The sample being assembled may be incomplete: it is lost with the rest of the shard.
            key = null;
            image = null;
            caption = null;
            outsideName = null;
            tooLarge = null;
            meta = null;
            finish(Sample.bad(shard.toString(), SkipReason.TRUNCATED_SHARD, shard + ": truncated or corrupt shard, "
                    + problem));
        }

        private void finish(Sample last) {
            if (last != null) {
                ready.add(last);
            }
            done = true;
            closeQuietly();
        }

        private void closeQuietly() {
            if (tar != null) {
                try {
                    tar.close();
                } catch (IOException ignored) {
                    // read-only stream
                }
                tar = null;
            }
        }

        @Override
        public void close() {
            closeQuietly();
            done = true;
        }

        static String strictUtf8(byte[] b) {
            try {
                return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
            } catch (CharacterCodingException e) {
                return null;
            }
        }
    }
}
