package org.vlm4j.data;

import java.util.HashMap;
import java.util.Map;

/**
 * Caption augmentation by alternative captions (LaCLIP, Fan et al. 2023: each time an image is drawn, one of its
 * captions is used): with probability {@code probability} an entry's caption is replaced by the text in its metadata
 * field {@code field} (a table column, a shard member), when that is non-empty. Its hard negative ({@code negative})
 * is then replaced by the field {@code <field>_negative}, or dropped when there is none, so a negative always
 * contradicts the caption it is paired with.
 *
 * <p>The draw is a pure function of (seed, epoch, offset in the epoch), so a resumed run sees the same captions as an
 * uninterrupted one, and each epoch draws afresh.
 *
 * @param field       the metadata field holding the alternative caption, e.g. Shapes' {@code short}
 * @param probability how often the alternative is used, in [0, 1]
 */
public record CaptionMix(String field, double probability) {
    /** The metadata field of the hard-negative caption (as {@code Clip.NEGATIVE_FIELD}). */
    static final String NEGATIVE = "negative";

    public CaptionMix {
        if (field == null || field.isBlank()) {
            throw new IllegalArgumentException("caption mix: the field name is empty");
        }
        if (!(probability >= 0 && probability <= 1)) {
            throw new IllegalArgumentException("caption mix: probability must be in [0, 1], got " + probability);
        }
    }

    /** Parses {@code FIELD:P} (e.g. {@code short:0.75}); {@code FIELD} alone means always. */
    public static CaptionMix parse(String spec) {
        int colon = spec.lastIndexOf(':');
        if (colon < 0) {
            return new CaptionMix(spec.trim(), 1.0);
        }
        String p = spec.substring(colon + 1).trim();
        try {
            return new CaptionMix(spec.substring(0, colon).trim(), Double.parseDouble(p));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("caption mix '" + spec + "': '" + p + "' is not a probability"
                    + " (expected FIELD:P, e.g. short:0.75)");
        }
    }

    /** The caption and metadata to train on for the entry at {@code offset} of {@code epoch}. */
    Sample apply(Sample s, long seed, long epoch, long offset) {
        String alt = s.meta().get(field);
        if (alt == null || alt.isEmpty() || unit(seed, epoch, offset) >= probability) {
            return s;
        }
        Map<String, String> meta = new HashMap<>(s.meta());
        String neg = s.meta().get(field + "_" + NEGATIVE);
        if (neg == null || neg.isEmpty()) {
            meta.remove(NEGATIVE);
        } else {
            meta.put(NEGATIVE, neg);
        }
        return Sample.good(s.key(), s.image(), alt, Map.copyOf(meta));
    }

    /** A uniform draw in [0, 1) from SplitMix64 over the three numbers. */
    static double unit(long seed, long epoch, long offset) {
        long z = mix(mix(mix(seed ^ 0x5DEECE66DL) + epoch) + offset);
        return (z >>> 11) * 0x1.0p-53;
    }

    private static long mix(long z) {
        z += 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
