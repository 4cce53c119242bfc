package org.vlm4j.index;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What an index knows about itself, kept in each Lucene commit's user data (so it changes atomically with the
 * documents): the model that embedded it and the folders its images come from (the only places the server reads
 * thumbnails from).
 *
 * @param fingerprint {@link ModelFingerprint} of the model
 * @param modelDir    where that model was when the index was built (a hint for {@code vlm4j search})
 * @param family      the model's family
 * @param dim         embedding size
 * @param roots       absolute folders of the indexed collections
 */
public record IndexMeta(String fingerprint, String modelDir, String family, int dim, List<String> roots) {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String PREFIX = "vlm4j.";

    public IndexMeta {
        roots = List.copyOf(roots);
    }

    public IndexMeta withRoot(String root) {
        Set<String> r = new LinkedHashSet<>(roots);
        r.add(root);
        return new IndexMeta(fingerprint, modelDir, family, dim, List.copyOf(r));
    }

    Map<String, String> toUserData() {
        Map<String, String> m = new HashMap<>();
        m.put(PREFIX + "fingerprint", fingerprint);
        m.put(PREFIX + "model_dir", modelDir);
        m.put(PREFIX + "family", family);
        m.put(PREFIX + "dim", Integer.toString(dim));
        try {
            m.put(PREFIX + "roots", JSON.writeValueAsString(roots));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        return m;
    }

    /** Null when the commit was not written by vlm4j. */
    static IndexMeta fromUserData(Map<String, String> m, String where) {
        if (!m.containsKey(PREFIX + "fingerprint")) {
            return null;
        }
        try {
            List<String> roots = JSON.readValue(m.getOrDefault(PREFIX + "roots", "[]"), new TypeReference<>() {});
            return new IndexMeta(m.get(PREFIX + "fingerprint"), m.get(PREFIX + "model_dir"), m.get(PREFIX + "family"),
                    Integer.parseInt(m.get(PREFIX + "dim")), roots);
        } catch (java.io.IOException | RuntimeException e) {
            throw new IllegalStateException(where + ": corrupt vlm4j index metadata (" + e.getMessage() + ")");
        }
    }
}
