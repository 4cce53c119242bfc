package org.vlm4j.index;

import java.io.IOException;
import java.nio.file.Path;
import org.vlm4j.data.DatasetEntries;

/**
 * One indexed image: its path (the document's identity: an absolute file path, or {@code shard.tar:member} for a
 * tar member), caption, a signature that changes when the image changes, and where its bytes are.
 *
 * @param path      absolute, normalised; unique in an index
 * @param caption   the collection's caption ("" when it has none)
 * @param signature size and modification time of the file (or shard, plus the member's offset)
 * @param file      the image file, or the shard holding it
 * @param member    the tar member name, or null
 * @param offset    the member's offset in the shard (0 for files)
 * @param length    the member's length (-1 for files)
 */
public record IndexedImage(String path, String caption, String signature, Path file, String member, long offset,
                           int length) {
    public IndexedImage {
        caption = caption == null ? "" : caption;
    }

    /** The encoded image bytes (from the file, or the shard member). */
    public byte[] read() throws IOException {
        return new DatasetEntries.Entry(path, caption, file, member, offset, length, null).read();
    }
}
