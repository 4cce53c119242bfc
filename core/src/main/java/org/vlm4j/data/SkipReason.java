package org.vlm4j.data;

/**
 * Why an entry of a dataset was skipped. {@link #id()} is the key used in {@link BatchLoader#skipped()} and in the
 * log. A skipped entry never stops loading; it is counted, and one WARN line per reason (with its first example) is
 * logged when the loader closes.
 */
public enum SkipReason {
    /** The image does not decode: empty file, truncated or corrupt data, unknown format, too many pixels, or an I/O
     *  error while reading it. */
    CORRUPT_IMAGE("corrupt_image"),
    /** The image file does not exist, a table row names no image, or a shard sample has no image member. */
    MISSING_IMAGE("missing_image"),
    /** The caption is empty or absent (a one-column row, a blank cell, a shard sample without {@code .txt}). */
    MISSING_CAPTION("missing_caption"),
    /** The caption is not valid UTF-8 (a shard's {@code .txt}, or the caption cell of a table row). */
    CAPTION_NOT_UTF8("caption_not_utf8"),
    /** The image path is absolute or climbs out of the dataset root with {@code ..} (refused, never read). */
    PATH_OUTSIDE_ROOT("path_outside_root"),
    /** A tar shard ends in the middle of an entry or has a corrupt header: the samples before it are kept, the
     *  rest of the shard is lost; counted once per shard per epoch. */
    TRUNCATED_SHARD("truncated_shard"),
    /** A shard named by the pattern does not exist or cannot be opened; counted once per shard per epoch. */
    MISSING_SHARD("missing_shard"),
    /** A CSV/TSV table that cannot be parsed past some point (e.g. an unterminated quote): the rows before it are
     *  kept; counted once. */
    MALFORMED_TABLE("malformed_table");

    private final String id;

    SkipReason(String id) {
        this.id = id;
    }

    /** The snake_case name used in counts and logs. */
    public String id() {
        return id;
    }
}
