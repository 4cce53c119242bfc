package org.vlm4j.eval;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** What {@link RetrievalEval} measured, per direction. */
public record RetrievalResult(int nImages, int nTexts, TieRule tieRule, Direction imageToText,
        Direction textToImage) {

    /**
     * One direction's metrics.
     *
     * @param recall R@K for each of {@code ks}
     * @param ranks the 1-based rank per query, in query order (images for image to text, texts for text to image)
     * @param tiedQueries queries where a wrong candidate tied the best correct one (where the tie rule mattered)
     */
    public record Direction(int[] ks, double[] recall, double meanRank, double medianRank, int[] ranks,
            int tiedQueries) {
        /** R@k for one of {@link #ks}. */
        public double recallAt(int k) {
            for (int i = 0; i < ks.length; i++) {
                if (ks[i] == k) {
                    return recall[i];
                }
            }
            throw new IllegalArgumentException("R@" + k + " was not computed; ks = " + Arrays.toString(ks));
        }
    }

    /**
     * {@code image_to_text_R@K} for each K, {@code image_to_text_mean_rank}, {@code image_to_text_median_rank},
     * {@code image_to_text_tied_queries}, the same for {@code text_to_image_}, then {@code n_images}, {@code n_texts},
     * {@code tie_rule}. The R@K, rank and n names are OpenCLIP's; scripts depend on them.
     */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        put(m, "image_to_text", imageToText);
        put(m, "text_to_image", textToImage);
        m.put("n_images", nImages);
        m.put("n_texts", nTexts);
        m.put("tie_rule", tieRule.name().toLowerCase(Locale.ROOT));
        return m;
    }

    private static void put(Map<String, Object> m, String name, Direction d) {
        for (int i = 0; i < d.ks().length; i++) {
            m.put(name + "_R@" + d.ks()[i], d.recall()[i]);
        }
        m.put(name + "_mean_rank", d.meanRank());
        m.put(name + "_median_rank", d.medianRank());
        m.put(name + "_tied_queries", d.tiedQueries());
    }
}
