package org.vlm4j.eval;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Counts of the n-grams (n = 1..maxN) of a token list, keyed by the n-gram's tokens joined with a space. */
final class NGrams {
    private NGrams() {}

    static Map<String, Integer> count(List<String> tokens, int maxN) {
        Map<String, Integer> out = new HashMap<>();
        for (int n = 1; n <= maxN; n++) {
            for (int i = 0; i + n <= tokens.size(); i++) {
                out.merge(String.join(" ", tokens.subList(i, i + n)), 1, Integer::sum);
            }
        }
        return out;
    }

    /** The order of an n-gram key. */
    static int order(String ngram) {
        int n = 1;
        for (int i = 0; i < ngram.length(); i++) {
            if (ngram.charAt(i) == ' ') {
                n++;
            }
        }
        return n;
    }
}
