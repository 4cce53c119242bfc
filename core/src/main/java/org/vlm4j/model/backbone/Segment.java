package org.vlm4j.model.backbone;

import java.util.ArrayList;
import java.util.List;

/**
 * One part of an interleaved prompt (Frozen's few-shot inputs): a text, or an image given as preprocessed pixels
 * (3 x S x S, the bridge's preprocessing). A bridge puts each image's soft prompt in place of its segment.
 */
public record Segment(String text, float[] pixels) {
    /** What marks an image's place in a prompt: {@code "<image> this is a red circle. <image> this is"}. */
    public static final String IMAGE = "<image>";

    public Segment {
        if ((text == null) == (pixels == null)) {
            throw new IllegalArgumentException("a segment is a text or an image, exactly one of them");
        }
    }

    public static Segment text(String text) {
        return new Segment(text, null);
    }

    public static Segment image(float[] pixels) {
        return new Segment(null, pixels);
    }

    public boolean isImage() {
        return pixels != null;
    }

    /** How many {@link #IMAGE} placeholders a prompt has. */
    public static int placeholders(String prompt) {
        int n = 0;
        for (int i = prompt.indexOf(IMAGE); i >= 0; i = prompt.indexOf(IMAGE, i + IMAGE.length())) {
            n++;
        }
        return n;
    }

    /**
     * The segments of a prompt whose {@link #IMAGE} placeholders take the images in order; the text between them is
     * stripped, and empty texts are dropped.
     */
    public static List<Segment> interleave(String prompt, List<float[]> images) {
        int n = placeholders(prompt);
        if (n != images.size()) {
            throw new IllegalArgumentException("the prompt has " + n + " " + IMAGE + " placeholder(s) but "
                    + images.size() + " image(s) were given");
        }
        List<Segment> out = new ArrayList<>();
        String[] texts = prompt.split(java.util.regex.Pattern.quote(IMAGE), -1);
        for (int i = 0; i < texts.length; i++) {
            if (i > 0) {
                out.add(image(images.get(i - 1)));
            }
            String t = texts[i].strip();
            if (!t.isEmpty()) {
                out.add(text(t));
            }
        }
        return out;
    }
}
