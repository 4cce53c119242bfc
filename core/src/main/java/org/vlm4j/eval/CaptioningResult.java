package org.vlm4j.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Captioning metrics over a corpus of images, each with its generated caption and one or more references.
 *
 * @param bleu       corpus BLEU-1 .. BLEU-4 ({@link Bleu})
 * @param ciderD     corpus CIDEr-D ({@link CiderD})
 * @param images     the images' keys, in dataset order of first appearance
 * @param captions   the generated caption of each image
 * @param references the reference captions of each image
 * @param skipped    dataset entries skipped by reason (unreadable images, ...)
 */
public record CaptioningResult(double[] bleu, double ciderD, List<String> images, List<String> captions,
                               List<List<String>> references, Map<String, Long> skipped) {

    public int n() {
        return images.size();
    }

    /**
     * {@code BLEU-1} .. {@code BLEU-4}, {@code CIDEr-D}, {@code n} (images), {@code references} (reference captions
     * in all), {@code skipped}, and {@code examples}: the first {@code examples} images with caption and references.
     */
    public Map<String, Object> toJson(int examples) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (int i = 0; i < bleu.length; i++) {
            out.put("BLEU-" + (i + 1), bleu[i]);
        }
        out.put("CIDEr-D", ciderD);
        out.put("n", n());
        out.put("references", references.stream().mapToInt(List::size).sum());
        out.put("skipped", skipped);
        List<Map<String, Object>> ex = new ArrayList<>();
        for (int i = 0; i < Math.min(examples, n()); i++) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("image", images.get(i));
            e.put("caption", captions.get(i));
            e.put("references", references.get(i));
            ex.add(e);
        }
        out.put("examples", ex);
        return out;
    }
}
