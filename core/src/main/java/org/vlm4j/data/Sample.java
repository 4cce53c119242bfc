package org.vlm4j.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * One entry of a dataset's epoch stream: either a candidate (image not yet read, caption, metadata) or an entry
 * already known to be bad ({@link #skip} set). Bad entries flow through the stream like good ones, so they take
 * part in the shuffle, count towards positions, and are skipped (and counted) identically when a loader resumes.
 *
 * @param key     identifies the entry in messages (path as written in the table, shard:key for tar)
 * @param image   where the image bytes are; null for a skipped entry
 * @param caption the caption; null for a skipped entry
 * @param meta    extra columns / fields, unmodifiable
 * @param skip    why the entry is skipped, or null
 * @param problem one line describing the problem, for the log (null when {@code skip} is null)
 */
record Sample(String key, ImageRef image, String caption, Map<String, String> meta, SkipReason skip,
              String problem) {

    static Sample good(String key, ImageRef image, String caption, Map<String, String> meta) {
        return new Sample(key, image, caption, meta, null, null);
    }

    static Sample bad(String key, SkipReason reason, String problem) {
        return new Sample(key, null, null, Map.of(), reason, problem);
    }

    /** Where an image's encoded bytes are. Implementations are immutable and safe to read from any thread. */
    interface ImageRef {
        /** Reads the encoded bytes; {@link java.nio.file.NoSuchFileException} if the file is gone. */
        byte[] read() throws IOException;

        /** A name for messages and {@code DecodedImage.source()}. */
        String name();
    }

    /** An image file. */
    record FileRef(Path file) implements ImageRef {
        @Override
        public byte[] read() throws IOException {
            return Files.readAllBytes(file);
        }

        @Override
        public String name() {
            return file.toString();
        }
    }

    /** A member of a tar shard: {@code length} bytes at {@code offset}, read with a positional read. */
    record ShardRef(Path shard, String member, long offset, int length) implements ImageRef {
        @Override
        public byte[] read() throws IOException {
            byte[] out = new byte[length];
            ByteBuffer buf = ByteBuffer.wrap(out);
            try (FileChannel ch = FileChannel.open(shard, StandardOpenOption.READ)) {
                long pos = offset;
                while (buf.hasRemaining()) {
                    int n = ch.read(buf, pos);
                    if (n < 0) {
                        throw new IOException(name() + ": shard ends before the member's " + length + " bytes");
                    }
                    pos += n;
                }
            }
            return out;
        }

        @Override
        public String name() {
            return shard + ":" + member;
        }
    }
}
