package org.vlm4j.eval;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Winoground's three scores over {@code n} pairs (fractions in [0, 1]); {@code groups} holds the same over subsets
 * of the pairs (by {@code kind}, and seen vs held-out compositions when the table says which).
 */
public record WinogroundResult(double textScore, double imageScore, double groupScore, int n,
                               Map<String, WinogroundResult> groups, String similarity) {
    /** The contract keys ({@code text_score}, {@code image_score}, {@code group_score}, {@code n}) and the groups. */
    public Map<String, Object> toJson() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("text_score", textScore);
        out.put("image_score", imageScore);
        out.put("group_score", groupScore);
        out.put("n", n);
        if (similarity != null) {
            out.put("similarity", similarity);
        }
        if (!groups.isEmpty()) {
            Map<String, Object> g = new LinkedHashMap<>();
            groups.forEach((k, v) -> g.put(k, v.toJson()));
            out.put("groups", g);
        }
        return out;
    }
}
