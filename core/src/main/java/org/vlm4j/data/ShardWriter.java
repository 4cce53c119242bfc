package org.vlm4j.data;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.vlm4j.io.AtomicFiles;

/**
 * Writes WebDataset tar shards: per sample {@code NNNNNN.png}, {@code NNNNNN.txt} (the caption) and one member per
 * non-empty field ({@code NNNNNN.<field>}), keys numbered from {@code first}. Members have fixed times and owners,
 * so a shard is byte-identical for the same samples; the file is written to a temporary name and renamed.
 */
public final class ShardWriter {
    private static final FileTime EPOCH = FileTime.fromMillis(0);

    private ShardWriter() {}

    /** One sample: its caption, extra fields (written as members when non-empty) and encoded PNG. */
    public record Entry(String caption, Map<String, String> fields, byte[] png) {}

    public static void write(Path file, int first, List<Entry> samples) throws IOException {
        AtomicFiles.write(file, ch -> {
            OutputStream os = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16);
            TarArchiveOutputStream tar = new TarArchiveOutputStream(os);
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (int i = 0; i < samples.size(); i++) {
                Entry e = samples.get(i);
                String key = String.format(Locale.ROOT, "%06d", first + i);
                member(tar, key + ".png", e.png());
                member(tar, key + ".txt", e.caption().getBytes(StandardCharsets.UTF_8));
                for (Map.Entry<String, String> f : e.fields().entrySet()) {
                    if (!f.getValue().isEmpty()) {
                        member(tar, key + "." + f.getKey(), f.getValue().getBytes(StandardCharsets.UTF_8));
                    }
                }
            }
            tar.finish();
            os.flush(); // not closed: AtomicFiles owns the channel
        });
    }

    private static void member(TarArchiveOutputStream tar, String name, byte[] bytes) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(bytes.length);
        e.setMode(0644);
        e.setLastModifiedTime(EPOCH);
        e.setUserId(0);
        e.setGroupId(0);
        e.setUserName("");
        e.setGroupName("");
        tar.putArchiveEntry(e);
        tar.write(bytes);
        tar.closeArchiveEntry();
    }
}
